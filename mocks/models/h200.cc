// NVIDIA H200 (SXM, 141 GB; device 0x2335, subsystem 0x18BF10DE). Every profile value below is what a
// real H200 SXM answered through NVML on driver 580.159.04 with MIG disabled (read-only capture kept
// in docs/real-captures/h200-580/): ids, v1 fields, v2 names, placements, remaining capacity, board
// memory (total 150754820096 B = 143771 MiB, reserved 644939776 B) and the unsupported indices
// (5, 6, 8, 10..16 NOT_SUPPORTED; 17 on INVALID_ARGUMENT).
//
// Memory across drivers: a published `-lgip` of an earlier driver (NVIDIA/mig-parted issue #120,
// 2024) printed 1g.35gb/2g.35gb 32.25 GiB and 3g/4g.71gb 69.50 GiB where 580 gives 32.50 and 69.75;
// 7g.141gb was reported elsewhere as 139.75 GiB, a figure no capture we could find attributes to a
// board and driver; driver 580 on the H200 SXM gives 140.00 GiB (143360 MiB). The mock follows 580.
//
// Compute-instance profiles were not captured (MIG stayed disabled): their SMs per slice and
// placements are [inferred] from the H100 on the same driver.
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h200",
    "NVIDIA H200",
    "hopper",
    0x233510DE,
    0x18BF10DE,
    143771,  // 150754820096 B
    false,   // Hopper: MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199: the real H200 answered profiles/placements/capacity with MIG disabled
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
    // GI id pools (first id per placement size; id = first + start/size) [inferred: as the H100].
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,
    644939776,  // reserved bytes (nvmlDeviceGetMemoryInfo_v2)
    80968,      // a real idle H200 (driver 580.159.04, MIG off) answered 80968 mW
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
