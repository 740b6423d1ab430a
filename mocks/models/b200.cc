// NVIDIA B200 (HGX, 180 GB HBM3e). 1g.23gb, 1g.23gb+me, 1g.45gb and 2g.45gb (ids, SMs 18/18/30/36, engines,
// memory) from the real `-lgip` in NVIDIA/mig-parted PR #187 (March 2025: 1g 20.50 GiB; the January 2025 capture in
// PR #166 showed 22.00 on an earlier driver); names 3g.90gb, 4g.90gb (added by PR #187), 7g.180gb from mig-parted's
// config (device 0x2901) and the MIG user guide, whose B200 table gives CE 6/8/16 for 3g/4g/7g.
// [inferred] 3g/4g/7g: memory (twice the 2-slot profile plus 256 MiB, then twice that plus 256, as on Hopper), SMs
// (4g twice the 2g; 3g 68; 7g the board's 148), DEC/JPEG one per compute slice as the captured rows show; placements,
// id pools and placement order as Hopper; sub-GI CIs 18 SMs per slice.
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "b200",
    "NVIDIA B200",
    "blackwell",
    0x290110DE,
    0x199910DE,  // [inferred] subsystem id
    183359,      // [inferred] total MiB
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.23gb", 1, 7, 18, 2, 1, 0, 1, 0, 20992, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.45gb", 2, 3, 36, 4, 2, 0, 2, 0, 45312, grid(2, {0, 2, 4})},
            // [inferred] 3g/4g/7g: SMs, engines and memory (no published `-lgip` shows these rows; see above)
            {0x2, 9, "MIG 3g.90gb", 3, 2, 68, 6, 3, 0, 3, 0, 90880, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.90gb", 4, 1, 72, 8, 4, 0, 4, 0, 90880, grid(4, {0})},
            {0x4, 0, "MIG 7g.180gb", 7, 1, 148, 16, 7, 0, 7, 1, 182016, grid(8, {0})},
            {0x7, 20, "MIG 1g.23gb+me", 1, 1, 18, 2, 1, 0, 1, 1, 20992, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.45gb", 1, 4, 30, 2, 1, 0, 1, 0, 45312, grid(2, {0, 2, 4, 6})},
        },
        18, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as Hopper]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
