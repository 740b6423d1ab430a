// NVIDIA H800 (SXM5, 80 GB): the export variant of the H100 SXM5 (same GH100 configuration, reduced NVLink).
// Profile table as the H100 80GB HBM3 on driver 580 [inferred: mig-parted's config groups 0x2324 with the H100-80GB
// boards and gives it the same profile names; no published `-lgip` of this board was found].
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h800",
    "NVIDIA H800",
    "hopper",
    0x232410DE,
    0x17A610DE,  // [inferred] subsystem id
    81559,       // [inferred] total MiB as the H100 SXM5
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.10gb", 1, 7, 16, 1, 1, 0, 1, 0, 9984, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.20gb", 2, 3, 32, 2, 2, 0, 2, 0, 20096, grid(2, {0, 2, 4})},
            {0x2, 9, "MIG 3g.40gb", 3, 2, 60, 3, 3, 0, 3, 0, 40448, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.40gb", 4, 1, 64, 4, 4, 0, 4, 0, 40448, grid(4, {0})},
            {0x4, 0, "MIG 7g.80gb", 7, 1, 132, 8, 7, 0, 7, 1, 81152, grid(8, {0})},
            {0x7, 20, "MIG 1g.10gb+me", 1, 1, 16, 1, 1, 0, 1, 1, 9984, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.20gb", 1, 4, 26, 1, 1, 0, 1, 0, 20096, grid(2, {0, 2, 4, 6})},
        },
        16, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as the H100]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
