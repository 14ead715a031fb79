/* ty_check.c: the type checker's entry point (issue 4; language.md 5, 10).
 *
 * Order of work (each step over all modules before the next where needed):
 *   1. built-in types, traits and the stdlib table (ty_builtins.c),
 *   2. module graph: dependency order, cycles, E0031 (ty_modules.c),
 *   3. collection of every module's names (ty_items.c, pass 1),
 *   4. per module in dependency order: imports, field types, deriving,
 *      impls, actor/service signatures (pass 2),
 *   5. per module in dependency order: bodies (ty_fn.c, ty_actors.c).
 * Errors never stop the checker early except a fatal module-graph problem.
 */
#include "lang/compiler/types.h"

#include <string.h>

#include "lang/compiler/diag.h"
#include "lang/compiler/ty_check.h"


static void init_syms(ty_checker_t *ck)
{
    ty_syms_t *s = &ck->s;
    interner_t *in = ck->in;
#define S(field, text) s->field = intern_cstr(in, text)
    S(Int, "Int"); S(Float, "Float"); S(Bool, "Bool"); S(String, "String"); S(Unit, "Unit");
    S(List, "List"); S(Map, "Map"); S(Set, "Set"); S(Queue, "Queue"); S(Range, "Range");
    S(Tuple, "Tuple"); S(Json, "Json"); S(JSON, "JSON"); S(Option, "Option"); S(Result, "Result");
    S(Ordering, "Ordering"); S(Pid, "Pid"); S(Fun, "Fun"); S(SystemMsg, "SystemMsg");
    S(ExitReason, "ExitReason"); S(Self, "Self"); S(self, "self"); S(main, "main"); S(Main, "Main");
    S(Some, "Some"); S(None, "None"); S(Ok, "Ok"); S(Err, "Err"); S(underscore, "_");
    S(from_json, "from_json"); S(from_row, "from_row"); S(to_json, "to_json");
    S(to_string, "to_string"); S(inspect, "inspect"); S(hash, "hash"); S(compare, "compare");
    S(default_, "default"); S(init, "init"); S(brutal_kill, "brutal_kill"); S(String_, "String");
    S(Never, "Never");
#undef S
}

static void init_modules(ty_checker_t *ck)
{
    compile_t *c = ck->c;
    ty_program_t *p = ck->prog;
    ck->mods = ARENA_ARRAY(ck->a, ty_modenv_t, c->module_count + 1);
    p->modules = ARENA_ARRAY(ck->a, ty_module_t, c->module_count + 1);
    for (uint32_t i = 0; i < c->module_count; i++) {
        if (!c->modules[i].ast)
            continue;
        ty_modenv_t *m = &ck->mods[ck->nmods];
        m->name = c->modules[i].name;
        m->index = ck->nmods;
        m->cm = &c->modules[i];
        m->out = ARENA_NEW(ck->a, ty_module_t);
        m->out->name = m->name;
        m->out->module_index = i;
        ty_map_put(ck->a, &ck->mod_by_name, m->name, m);
        ck->nmods++;
    }
}

/* Orders the checker's diagnostics by module (dependency order) and then
 * by position, so deferred checks (trait obligations, exhaustiveness)
 * print where a reader expects them (10.1). Stable: same-position entries
 * keep their order. */
static void sort_diags(ty_checker_t *ck, uint32_t first, const uint32_t *order)
{
    diag_t *d = ck->c->diag;
    uint32_t nfiles = 0;
    for (uint32_t i = 0; i < ck->nmods; i++)
        if (ck->mods[i].cm->file + 1 > nfiles)
            nfiles = ck->mods[i].cm->file + 1;
    uint32_t *rank = ARENA_ARRAY(ck->a, uint32_t, nfiles + 1);
    for (uint32_t i = 0; order && i < ck->nmods; i++)
        rank[ck->mods[order[i]].cm->file] = i;
    for (uint32_t i = first + 1; i < d->count; i++) {
        diag_entry_t e = d->items[i];
        uint64_t ke = e.span.file < nfiles ? ((uint64_t)rank[e.span.file] << 32) | e.span.start : 0;
        uint32_t j = i;
        while (j > first) {
            diag_entry_t *p = &d->items[j - 1];
            uint64_t kp =
                p->span.file < nfiles ? ((uint64_t)rank[p->span.file] << 32) | p->span.start : 0;
            if (kp <= ke)
                break;
            d->items[j] = *p;
            j--;
        }
        d->items[j] = e;
    }
}

int ty_check_program(compile_t *c)
{
    ty_checker_t ck;
    memset(&ck, 0, sizeof ck);
    ck.c = c;
    ck.a = c->arena;
    ck.in = c->interner;
    ck.prog = ARENA_NEW(ck.a, ty_program_t);
    ck.expect_arity = -1;
    c->typed = ck.prog;
    init_syms(&ck);
    ty_builtins_init(&ck);
    ty_traits_init(&ck);
    ty_builtin_impls(&ck);
    init_modules(&ck);

    uint32_t *order = NULL;
    uint32_t first_diag = c->diag->count;
    if (ty_modules_order(&ck, &order)) {
        for (uint32_t i = 0; i < ck.nmods; i++)
            ty_collect_module(&ck, &ck.mods[i]);
        for (uint32_t i = 0; i < ck.nmods; i++) {
            ty_modenv_t *m = &ck.mods[order[i]];
            ty_resolve_imports(&ck, m);
            ty_collect_types(&ck, m);
            ty_concurrency_sigs(&ck, m);
        }
        for (uint32_t i = 0; i < ck.nmods; i++) {
            ty_modenv_t *m = &ck.mods[order[i]];
            ty_check_module(&ck, m);
            ck.prog->modules[ck.prog->nmodules++] = *m->out;
        }
        ty_obligs_final(&ck);
        sort_diags(&ck, first_diag, order);
    }
    ck.prog->error_count = ck.errors;
    ck.prog->warning_count = ck.warnings;
    return (int)ck.errors;
}
