// NVIDIA GB200 (Grace Blackwell; 4 GPUs a tray). 1g.23gb, 1g.23gb+me, 1g.47gb and 2g.47gb (ids, SMs 18/18/32/38,
// engines, memory 22.00/45.50 GiB) from the real `-lgip` in NVIDIA/mig-parted issue #227 (August 2025); names 3g.93gb,
// 4g.93gb, 7g.186gb from the GPU operator's config (device 0x2941).
// Renamed by the driver: an earlier driver (NVIDIA/gpu-operator PR #1303, March 2025) named the 1-slice profile
// 1g.24gb (20.00 GiB) and mig-parted's configs of that time used 3g.95gb, 4g.95gb and 7g.189gb; the mock answers with
// the newer names. Layouts and `-cgi` accept the older names on this board (lib/layout/model.ts, OLDER_PROFILE_NAMES).
// [inferred] 3g/4g/7g: memory (twice the 2-slot profile plus 256 MiB, then twice that plus 256), SMs (4g twice the 2g,
// 3g 72, 7g 152), engines as B200's; placements, id pools and order as Hopper; sub-GI CIs 18 SMs per slice.
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "gb200",
    "NVIDIA GB200",
    "blackwell",
    0x294110DE,
    0x199510DE,  // [inferred] subsystem id
    189471,      // [inferred] total MiB
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.23gb", 1, 7, 18, 2, 1, 0, 1, 0, 22528, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.47gb", 2, 3, 38, 4, 2, 0, 2, 0, 46592, grid(2, {0, 2, 4})},
            // [inferred] 3g/4g/7g: SMs, engines and memory (no published `-lgip` shows these rows; see above)
            {0x2, 9, "MIG 3g.93gb", 3, 2, 72, 6, 3, 0, 3, 0, 93440, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.93gb", 4, 1, 76, 8, 4, 0, 4, 0, 93440, grid(4, {0})},
            {0x4, 0, "MIG 7g.186gb", 7, 1, 152, 16, 7, 0, 7, 1, 187136, grid(8, {0})},
            {0x7, 20, "MIG 1g.23gb+me", 1, 1, 18, 2, 1, 0, 1, 1, 22528, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.47gb", 1, 4, 32, 2, 1, 0, 1, 0, 46592, grid(2, {0, 2, 4, 6})},
        },
        18, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as Hopper]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
