// NVIDIA H200 NVL (141 GB, PCIe). Profile names from mig-parted's config (0x233B shares the H200's all-balanced
// entry) and the MIG user guide; every value as the real H200 SXM on driver 580 (see h200.cc) [inferred: same GH100 and
// 141 GB; no `-lgip` of the NVL board was found]. Its board power and clocks differ, not its MIG profiles as far as
// published.
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h200-nvl",
    "NVIDIA H200 NVL",
    "hopper",
    0x233B10DE,
    0x1CC310DE,  // [inferred] subsystem id
    143771,      // [inferred] total MiB as the H200 SXM
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.18gb", 1, 7, 16, 1, 1, 0, 1, 0, 16384, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.35gb", 2, 3, 32, 2, 2, 0, 2, 0, 33280, grid(2, {0, 2, 4})},
            {0x2, 9, "MIG 3g.71gb", 3, 2, 60, 3, 3, 0, 3, 0, 71424, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.71gb", 4, 1, 64, 4, 4, 0, 4, 0, 71424, grid(4, {0})},
            {0x4, 0, "MIG 7g.141gb", 7, 1, 132, 8, 7, 0, 7, 1, 143360, grid(8, {0})},
            {0x7, 20, "MIG 1g.18gb+me", 1, 1, 16, 1, 1, 0, 1, 1, 16384, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.35gb", 1, 4, 26, 1, 1, 0, 1, 0, 33280, grid(2, {0, 2, 4, 6})},
        },
        16, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as the H100]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
