// NVIDIA A100-SXM4-80GB. Same ids, SMs, engines and placements as A100-40GB (MIG user guide).
// Memory of 1g..4g from a published real `-lgip` (9.50/19.50/39.25 GiB; another published capture
// shows 9.75/19.62/39.50 on a different driver). 7g.80gb: 78.75 GiB (80640 MiB) as a real A100-SXM4-80GB
// answers on driver 550 (the older capture's 79.00 GiB is not what current drivers give).
// The 7g engine row is [inferred] from the 40GB board (no published 80GB `-lgip` shows it).
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "a100-80gb",
    "NVIDIA A100-SXM4-80GB",
    "ampere",
    0x20B210DE,
    0x147F10DE,  // [inferred] subsystem id
    81920,       // [inferred] total MiB as nvidia-smi shows for this board
    true,        // Ampere: MIG mode changes stay pending until a GPU reset
    8,
    7,
    7,
    1,  // field 199 [inferred: the 580 driver answers MIG queries with MIG disabled]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.10gb", 1, 7, 14, 1, 0, 0, 0, 0, 9728, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.20gb", 2, 3, 28, 2, 1, 0, 0, 0, 19968, grid(2, {0, 2, 4})},
            {0x2, 9, "MIG 3g.40gb", 3, 2, 42, 3, 2, 0, 0, 0, 40192, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.40gb", 4, 1, 56, 4, 2, 0, 0, 0, 40192, grid(4, {0})},
            {0x4, 0, "MIG 7g.80gb", 7, 1, 98, 7, 5, 0, 1, 1, 80640, grid(8, {0})},
            {0x7, 20, "MIG 1g.10gb+me", 1, 1, 14, 1, 1, 0, 1, 1, 9728, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.20gb", 1, 4, 14, 1, 1, 0, 0, 0, 19968, grid(2, {0, 2, 4, 6})},
        },
        14, CiGrid::Ampere),  // real A100 `-lcip`: 14 SMs per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder).
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    // Drivers 515 and 550 number the upper half of the grid first (the first 3g.20gb, at 4:4, is
    // GI 1); the mock imitates them, not the user guide's older examples (GI 2 there).
    GiIdOrder::UpperHalfFirst,
    0,      // reserved bytes: the default (none)
    61000,  // [inferred] a plausible idle draw, not measured
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
