/* SPDX-License-Identifier: MIT */
/* shim/shim.h - what the shim's own files call in each other. */
#ifndef KMM_SHIM_H
#define KMM_SHIM_H

#include <stdbool.h>

/* kunit_skip_case - "case:reason" from the command line: skip that case, printing the reason. */
bool kunit_skip_case(const char *arg);
/* kunit_run_suites - run every registered suite; the number of failed cases. */
int kunit_run_suites(void);
/* kthread_set_current - make @task the calling thread's `current`. */
struct task_struct;
void kthread_set_current(struct task_struct *task);

#endif /* KMM_SHIM_H */
