/* config.h: scheduler configuration read once at start-up, before any
 * worker runs (read-only afterwards, so any thread may read it).
 *
 * SNOW_CORES sets the number of worker threads (DESIGN 5); unset, empty or
 * "auto" means one per online core. SNOW_PIN=0 leaves the workers unpinned.
 * SNOW_SHARED_STACKS=0 gives every process its own stack (share.h).
 */
#ifndef SNOW_SCHED_CONFIG_H
#define SNOW_SCHED_CONFIG_H

#include <stdbool.h>

enum { SCHED_CORES_MAX = 1024 };

typedef struct {
    int cores; /* worker threads, 1..SCHED_CORES_MAX */
    bool pin;  /* pin each worker to one CPU (default); SNOW_PIN=0 leaves them to the kernel */
    bool share; /* shared stacks (share.h, default on); SNOW_SHARED_STACKS=0 turns them off */
} sched_config_t;

/* Fills cfg from the text of SNOW_CORES (snow_cores may be NULL) and the
 * number of online CPUs. Returns 0, or -EINVAL when snow_cores is not a
 * whole number in 1..SCHED_CORES_MAX (cfg is then left unchanged). */
int sched_config_parse(sched_config_t *cfg, const char *snow_cores, int online_cpus);

/* Same, reading SNOW_CORES and sysconf(_SC_NPROCESSORS_ONLN), and SNOW_PIN
 * ("0" turns pinning off: on a machine shared with other busy programs a
 * pinned worker waits for its one CPU, which costs tail latency;
 * docs/performance.md, HTTP). */
int sched_config_from_env(sched_config_t *cfg);

#endif
