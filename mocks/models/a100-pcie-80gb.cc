// NVIDIA A100 80GB PCIe. The MIG user guide's A100 80GB names; every value as a100-80gb [inferred for this
// board: same GA100 configuration; mig-parted's config groups 0x20B5 with the SXM4 80GB board].
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "a100-pcie-80gb",
    "NVIDIA A100 80GB PCIe",
    "ampere",
    0x20B510DE,
    0x153310DE,  // [inferred] subsystem id
    81920,       // [inferred] total MiB
    true,        // Ampere: MIG mode changes stay pending until a GPU reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
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
        14, CiGrid::Ampere),  // A100 `-lcip`: 14 SMs per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as the H100]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::UpperHalfFirst,  // as the A100 on drivers 515/550 [inferred for this board: same GA100 and driver]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
