/* The two EPT views of the analyzer window and the exits they cause. */
#ifndef FVX_CORE_VIEWS_H
#define FVX_CORE_VIEWS_H

#include "exit.h"

#define VIEW_NORMAL 0
#define VIEW_ANALYZER 1

/* Load time: backs the window with hv->window in both views, builds the
 * analyzer view and the EPTP list. */
enum fvx_status views_build(struct hv *hv, const struct ept_layout *normal_layout, u64 normal_pml4);

#endif
