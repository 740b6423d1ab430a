// NVIDIA H200 (141 GB). Profile ids, SMs, engines and memory of 1g..4g from a real `-lgip`
// (mig-parted#120) and user logs (mig-facts 1.8). The 7g.141gb memory was never captured and the
// placements are assumed to be the H100 grid: both [UNVERIFIED/inferred].
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h200",
    "NVIDIA H200",
    "hopper",
    0x233510DE,
    0x18B010DE,  // [inferred] subsystem id
    143771,      // [inferred] total MiB as nvidia-smi shows for this board
    false,       // Hopper: MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: same driver generation as the measured H100]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.18gb", 1, 7, 16, 1, 1, 0, 1, 0, 16384, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.35gb", 2, 3, 32, 2, 2, 0, 2, 0, 33024, grid(2, {0, 2, 4})},
            {0x2, 9, "MIG 3g.71gb", 3, 2, 60, 3, 3, 0, 3, 0, 71168, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.71gb", 4, 1, 64, 4, 4, 0, 4, 0, 71168, grid(4, {0})},
            // [inferred] 7g memory: twice the 4-slot GI plus 512 MiB (about 139.5 GiB).
            {0x4, 0, "MIG 7g.141gb", 7, 1, 132, 8, 7, 0, 7, 1, 142848, grid(8, {0})},
            {0x7, 20, "MIG 1g.18gb+me", 1, 1, 16, 1, 1, 0, 1, 1, 16384, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.35gb", 1, 4, 26, 1, 1, 0, 1, 0, 33024, grid(2, {0, 2, 4, 6})},
        },
        16),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + start/size).
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    // Hopper: one 3g on an empty H100 leaves 1g capacity 3/7, so it took 0:4; 7x 1g -> 6,4,5,0,1,2,3.
    AutoPlacement::AvoidLarger,
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
