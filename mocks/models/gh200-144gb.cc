// NVIDIA GH200 144G HBM3e. 1g.18gb, 1g.18gb+me, 1g.36gb and 2g.36gb (ids, SMs, engines, memory 17.50/35.25 GiB) from
// the real `-lgip` in NVIDIA/mig-parted PR #139 (2024); names 3g.72gb, 4g.72gb, 7g.144gb from mig-parted's config
// (device 0x2348). [inferred] 3g/4g/7g memory (twice the 2-slot profile plus 256 MiB, as on the H100) and their SMs and
// engines (as every GH100 board); placements as the H100.
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "gh200-144gb",
    "NVIDIA GH200 144G HBM3e",
    "hopper",
    0x234810DE,
    0x18B310DE,  // [inferred] subsystem id
    145563,      // [inferred] total MiB (7g memory plus what the H200 keeps back)
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.18gb", 1, 7, 16, 1, 1, 0, 1, 0, 17920, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.36gb", 2, 3, 32, 2, 2, 0, 2, 0, 36096, grid(2, {0, 2, 4})},
            {0x2, 9, "MIG 3g.72gb", 3, 2, 60, 3, 3, 0, 3, 0, 72448, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.72gb", 4, 1, 64, 4, 4, 0, 4, 0, 72448, grid(4, {0})},
            {0x4, 0, "MIG 7g.144gb", 7, 1, 132, 8, 7, 0, 7, 1, 145152, grid(8, {0})},
            {0x7, 20, "MIG 1g.18gb+me", 1, 1, 16, 1, 1, 0, 1, 1, 17920, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.36gb", 1, 4, 26, 1, 1, 0, 1, 0, 36096, grid(2, {0, 2, 4, 6})},
        },
        16, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as the H100]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
