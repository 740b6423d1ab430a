// NVIDIA H100 NVL (94 GB; also H100-SXM5-94GB). Profile rows from a real `nvidia-smi mig -lgip`
// and `-lgipp` on driver 560.35.03 (a published Azure H100 NVL walkthrough; the same rows in NVIDIA/gpu-operator PR
// #900): ids, SMs, engines, memory, placements. Index constants follow H100 [inferred from the same ids].
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h100-94gb",
    "NVIDIA H100 NVL",
    "hopper",
    0x232110DE,
    0x180910DE,  // [inferred] subsystem id
    95830,       // [inferred] total MiB as nvidia-smi shows for this board
    false,       // Hopper: MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: same driver generation as the measured H100]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.12gb", 1, 7, 16, 1, 1, 0, 1, 0, 11008, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.24gb", 2, 3, 32, 2, 2, 0, 2, 0, 22144, grid(2, {0, 2, 4})},
            {0x2, 9, "MIG 3g.47gb", 3, 2, 60, 3, 3, 0, 3, 0, 47488, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.47gb", 4, 1, 64, 4, 4, 0, 4, 0, 47488, grid(4, {0})},
            {0x4, 0, "MIG 7g.94gb", 7, 1, 132, 8, 7, 0, 7, 1, 95360, grid(8, {0})},
            {0x7, 20, "MIG 1g.12gb+me", 1, 1, 16, 1, 1, 0, 1, 1, 11008, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.24gb", 1, 4, 26, 1, 1, 0, 1, 0, 22144, grid(2, {0, 2, 4, 6})},
        },
        16, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + start/size).
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    // (NVL capture: 3g GI 1, 1g.24gb GI 5, 1g GI 13: consistent with these pools.)
    GiIdOrder::ByStart,  // the defaults: ids by placement start,
    0,                   // no reserved bytes
    68000,               // [inferred] a plausible idle draw, not measured
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
