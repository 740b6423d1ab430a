// NVIDIA H20 (96 GB HBM3). Profile names from mig-parted's config (device 0x2329 shares the H100-96GB all-balanced
// entry: 1g.12gb, 2g.24gb, 3g.48gb) [published]. [inferred] The rest: no `-lgip` of the H20 was found. It has 78 SMs,
// so the GH100 counts are scaled by 78/132 (1g 9, 2g 18, 3g 35, 4g 37, 7g 78, 1g.24gb 15); memory as h100-96gb; ids,
// engines and placements as the other GH100 boards.
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h20",
    "NVIDIA H20",
    "hopper",
    0x232910DE,
    0x187410DE,  // [inferred] subsystem id
    97871,       // [inferred] total MiB
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.12gb", 1, 7, 9, 1, 1, 0, 1, 0, 11264, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.24gb", 2, 3, 18, 2, 2, 0, 2, 0, 22656, grid(2, {0, 2, 4})},
            {0x2, 9, "MIG 3g.48gb", 3, 2, 35, 3, 3, 0, 3, 0, 48512, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.48gb", 4, 1, 37, 4, 4, 0, 4, 0, 48512, grid(4, {0})},
            {0x4, 0, "MIG 7g.96gb", 7, 1, 78, 8, 7, 0, 7, 1, 97408, grid(8, {0})},
            {0x7, 20, "MIG 1g.12gb+me", 1, 1, 9, 1, 1, 0, 1, 1, 11264, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.24gb", 1, 4, 15, 1, 1, 0, 1, 0, 22656, grid(2, {0, 2, 4, 6})},
        },
        9, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as the H100]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
