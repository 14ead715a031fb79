/* snow_proc.h: the Snow ABI of processes — the "Processes" section of
 * lang/std/snow.h, implemented in sched/snow_proc.c over sched/actor.h
 * (language.md 8, stdlib 18-23; issue 7). The contracts are in snow.h;
 * this header only ties the implementation to them. */
#ifndef SNOW_SCHED_SNOW_PROC_H
#define SNOW_SCHED_SNOW_PROC_H

#include "lang/std/snow.h"

#endif
