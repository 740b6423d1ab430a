// NVIDIA H100 96GB (SXM5, HBM3). Profile names from the MIG user guide ("H100 96GB" table: 1g.12gb, 1g.12gb+me,
// 1g.24gb, 2g.24gb, 3g.48gb, 4g.48gb, 7g.96gb) and mig-parted's config (device 0x233D). Ids, SMs, engines and
// placements as the other GH100 boards [inferred]. Memory [inferred]: no `-lgip` of this board was published; the H100
// NVL's values scaled by 96/94 to 128 MiB.
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h100-96gb",
    "NVIDIA H100 96GB HBM3",
    "hopper",
    0x233D10DE,
    0x17A210DE,  // [inferred] subsystem id; board name [inferred]
    97871,       // [inferred] total MiB
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.12gb", 1, 7, 16, 1, 1, 0, 1, 0, 11264, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.24gb", 2, 3, 32, 2, 2, 0, 2, 0, 22656, grid(2, {0, 2, 4})},
            {0x2, 9, "MIG 3g.48gb", 3, 2, 60, 3, 3, 0, 3, 0, 48512, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.48gb", 4, 1, 64, 4, 4, 0, 4, 0, 48512, grid(4, {0})},
            {0x4, 0, "MIG 7g.96gb", 7, 1, 132, 8, 7, 0, 7, 1, 97408, grid(8, {0})},
            {0x7, 20, "MIG 1g.12gb+me", 1, 1, 16, 1, 1, 0, 1, 1, 11264, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.24gb", 1, 4, 26, 1, 1, 0, 1, 0, 22656, grid(2, {0, 2, 4, 6})},
        },
        16, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as the H100]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
