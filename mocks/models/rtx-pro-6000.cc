// NVIDIA RTX PRO 6000 Blackwell Server Edition (96 GB GDDR7): 12 memory slots, 4 compute slices, at most 4
// instances, graphics profiles (+gfx), no-media (-me) and all-media (+me.all) profiles. Ids, names, SMs, engines,
// memory (23.62/47.38/95.12 GiB) and placements ({0,3,6,9}:3, {0,6}:6, {0}:12) from a real `-lgip`/`-lgipp` on a
// Server Edition with driver 580 (a published 8-GPU walkthrough; the same ids in NVIDIA/mig-parted's config for
// 0x2BB5). Other captures show 23.12 GiB for the 1-slice profiles (bigstack-oss/cubecos issue #312) and 95.00 for
// 4g.96gb on other editions and drivers. GI ids (1g at 0:3..9:3 = 3..6, 2g at 0:6 = 1) as captured.
// [inferred] the index constant of each +gfx/-me/+me.all profile (from the names), the full GI's id 0 pool, and the
// compute-instance profiles (46 SMs per slice).
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "rtx-pro-6000",
    "NVIDIA RTX PRO 6000 Blackwell Server Edition",
    "blackwell",
    0x2BB510DE,
    0x204E10DE,  // [inferred] subsystem id
    97887,       // [inferred] total MiB
    false,       // MIG mode switches without a reset
    12,
    4,
    4,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 14, "MIG 1g.24gb", 1, 4, 46, 1, 1, 1, 1, 0, 24192, grid(3, {0, 3, 6, 9})},
            {0x1, 5, "MIG 2g.48gb", 2, 2, 94, 2, 2, 2, 2, 0, 48512, grid(6, {0, 6})},
            {0x3, 0, "MIG 4g.96gb", 4, 1, 188, 4, 4, 4, 4, 1, 97408, grid(12, {0})},
            {0x7, 21, "MIG 1g.24gb+me", 1, 1, 46, 1, 1, 1, 1, 1, 24192, grid(3, {0, 3, 6, 9})},
            // [inferred] index of each +gfx, -me and +me.all profile: from its name and the header's constant names
            {0xA, 47, "MIG 1g.24gb+gfx", 1, 4, 46, 1, 1, 1, 1, 0, 24192, grid(3, {0, 3, 6, 9}), kGfx},
            {0xB, 35, "MIG 2g.48gb+gfx", 2, 2, 94, 2, 2, 2, 2, 0, 48512, grid(6, {0, 6}), kGfx},
            {0xC, 32, "MIG 4g.96gb+gfx", 4, 1, 188, 4, 4, 4, 4, 1, 97408, grid(12, {0}), kGfx},
            {0xD, 67, "MIG 1g.24gb-me", 1, 4, 46, 1, 0, 0, 0, 0, 24192, grid(3, {0, 3, 6, 9}), kNoMedia},
            {0xE, 66, "MIG 2g.48gb-me", 2, 2, 94, 2, 0, 0, 0, 0, 48512, grid(6, {0, 6}), kNoMedia},
            {0xF, 65, "MIG 1g.24gb+me.all", 1, 1, 46, 1, 4, 4, 4, 1, 24192, grid(3, {0, 3, 6, 9}), kAllMedia},
            {0x10, 64, "MIG 2g.48gb+me.all", 2, 1, 94, 2, 4, 4, 4, 1, 48512, grid(6, {0, 6}), kAllMedia},
        },
        46, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). 1-slice GIs 3..6 and the 2-slice GI
    // 1 as captured.
    {{3, 3}, {6, 1}, {12, 0}},
    GiIdOrder::ByStart,  // as captured (GI 3, 4, 5, 6 at 0:3, 3:3, 6:3, 9:3)
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
