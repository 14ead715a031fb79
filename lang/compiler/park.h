/* park.h: the "never parks" analysis behind shared stacks (issue 7).
 *
 * A process spawned with snow_proc_spawn_shared may take turns with others
 * on one stack (sched/share.h): while it is suspended its frames may be
 * copied away. That is sound only if it never waits on I/O, because an I/O
 * wait leaves records on the stack that the ring writes to. This pass
 * finds the spawn sites whose spawned function provably never waits on
 * I/O, directly or through anything it calls, and switches them to
 * snow_proc_spawn_shared.
 *
 * The proof is conservative. If no function of the program calls a
 * runtime function outside the families known not to wait on I/O
 * (collections, strings, numbers, JSON, processes, timers, ...), nothing
 * can park and every direct spawn is shared. Otherwise a function counts
 * as parking when it calls such a runtime function, calls a closure, hands
 * a closure to the runtime (List.map, Job.async, on_terminate, ...), calls
 * a runtime function with a type descriptor (which may dispatch to user
 * trait impls), or calls a function that parks. */
#ifndef SNOW_LANG_COMPILER_PARK_H
#define SNOW_LANG_COMPILER_PARK_H

#include "lang/compiler/ir.h"

/* Marks a spawn site for the pass: call is the IR_E_RT of snow_proc_spawn,
 * func the index of the function the spawned closure runs. */
void park_mark_spawn(ir_expr_t *call, uint32_t func);

/* Renames every marked spawn whose function never parks to
 * snow_proc_spawn_shared. Returns how many it renamed. */
uint32_t park_share_spawns(ir_program_t *p);

#endif
