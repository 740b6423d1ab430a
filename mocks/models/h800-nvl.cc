// NVIDIA H800 NVL (94 GB): the export variant of the H100 NVL. Profile table as the H100 NVL's published `-lgip`
// [inferred: mig-parted's config groups 0x233A with the H100 NVL (same profile names); no `-lgip` of this board found].
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h800-nvl",
    "NVIDIA H800 NVL",
    "hopper",
    0x233A10DE,
    0x180610DE,  // [inferred] subsystem id
    95830,       // [inferred] total MiB as the H100 NVL
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
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
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as the H100]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
