/* config.c: scheduler configuration from the environment. */
#include "sched/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sched_config_parse(sched_config_t *cfg, const char *snow_cores, int online_cpus)
{
    int cores = online_cpus > 0 ? online_cpus : 1;
    if (cores > SCHED_CORES_MAX)
        cores = SCHED_CORES_MAX;
    if (snow_cores && *snow_cores && strcmp(snow_cores, "auto") != 0) {
        /* strtol would skip leading blanks and take a sign; a core count
         * is plain digits. */
        if (snow_cores[0] < '0' || snow_cores[0] > '9')
            return -EINVAL;
        char *end;
        errno = 0;
        long n = strtol(snow_cores, &end, 10);
        if (errno || end == snow_cores || *end || n < 1 || n > SCHED_CORES_MAX)
            return -EINVAL;
        cores = (int)n;
    }
    cfg->cores = cores;
    cfg->pin = true;
    cfg->share = true;
    return 0;
}

int sched_config_from_env(sched_config_t *cfg)
{
    int rc = sched_config_parse(cfg, getenv("SNOW_CORES"), (int)sysconf(_SC_NPROCESSORS_ONLN));
    const char *pin = getenv("SNOW_PIN");
    if (rc == 0 && pin && strcmp(pin, "0") == 0)
        cfg->pin = false;
    const char *share = getenv("SNOW_SHARED_STACKS");
    if (rc == 0 && share && strcmp(share, "0") == 0)
        cfg->share = false;
    return rc;
}
