"""How many kernels a render starts: one a brief at most, never more than --workers, and none
for the overview alone (it runs after the briefs on their kernel)."""

from __future__ import annotations

from parbrief.run.batch import _EarlyKernels, _kernels_for


def test_the_overview_gets_no_kernel_of_its_own():
    assert _kernels_for(2, 1) == 1  # one province (+ the overview): one kernel
    assert _kernels_for(2, 2) == 2 and _kernels_for(2, 63) == 2 and _kernels_for(1, 5) == 1
    assert _kernels_for(2, 0) == 1  # only the overview to render


def test_kernels_started_while_the_data_load_follow_the_same_rule():
    assert _EarlyKernels(2, True, ["Hưng Yên"], overview=True).n == 1
    assert _EarlyKernels(2, True, ["Hưng Yên", "Lạng Sơn"], overview=True).n == 2
    assert _EarlyKernels(2, True, None, overview=True).n == 2  # every province
