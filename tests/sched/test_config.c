/* Tests for sched/config.c: SNOW_CORES parsing (DESIGN 5, issue 7). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "sched/config.h"

Test(sched_config, unset_means_one_worker_per_online_core)
{
    sched_config_t cfg = {0};
    cr_assert_eq(sched_config_parse(&cfg, NULL, 8), 0);
    cr_assert_eq(cfg.cores, 8);
    cr_assert_eq(sched_config_parse(&cfg, "", 3), 0);
    cr_assert_eq(cfg.cores, 3);
    cr_assert_eq(sched_config_parse(&cfg, "auto", 2), 0);
    cr_assert_eq(cfg.cores, 2);
}

Test(sched_config, explicit_count_overrides_online_cores)
{
    sched_config_t cfg = {0};
    cr_assert_eq(sched_config_parse(&cfg, "1", 16), 0);
    cr_assert_eq(cfg.cores, 1);
    cr_assert_eq(sched_config_parse(&cfg, "1024", 2), 0);
    cr_assert_eq(cfg.cores, 1024);
}

Test(sched_config, rejects_garbage_and_keeps_previous_value)
{
    sched_config_t cfg = {.cores = 5};
    const char *bad[] = {"0", "-1", "1025", "two", "2x", " 2", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(sched_config_parse(&cfg, bad[i], 4), -EINVAL, "input %s", bad[i]);
        cr_assert_eq(cfg.cores, 5);
    }
}

Test(sched_config, unknown_cpu_count_still_gives_one_worker)
{
    sched_config_t cfg = {0};
    cr_assert_eq(sched_config_parse(&cfg, NULL, -1), 0);
    cr_assert_eq(cfg.cores, 1);
}

/* Workers are pinned unless SNOW_PIN=0 (docs/scheduler.md). */
Test(sched_config, snow_pin_zero_leaves_workers_unpinned)
{
    sched_config_t cfg = {0};
    unsetenv("SNOW_PIN");
    cr_assert_eq(sched_config_from_env(&cfg), 0);
    cr_assert(cfg.pin);
    setenv("SNOW_PIN", "0", 1);
    cr_assert_eq(sched_config_from_env(&cfg), 0);
    cr_assert_not(cfg.pin);
    setenv("SNOW_PIN", "1", 1);
    cr_assert_eq(sched_config_from_env(&cfg), 0);
    cr_assert(cfg.pin);
    unsetenv("SNOW_PIN");
}
