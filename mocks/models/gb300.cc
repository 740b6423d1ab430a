// NVIDIA GB300 (Grace Blackwell Ultra; 4 GPUs a tray, 288 GB HBM3e). [inferred] No published profile table,
// `-lgip` or NVIDIA config for the GB300 was found: names, memory, SMs and engines are taken from the B300 (same GPU
// and memory size), and the PCI device id is a placeholder. Replace them when a capture is published.
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "gb300",
    "NVIDIA GB300",
    "blackwell",
    0x31C210DE,
    0x20E810DE,  // [inferred] device and subsystem ids (placeholders)
    276064,      // [inferred] total MiB
    false,       // MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199 [inferred: driver 580 answers MIG queries with MIG disabled, as the real H100 and H200 did]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 19, "MIG 1g.34gb", 1, 7, 18, 2, 1, 0, 1, 0, 34304, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x1, 14, "MIG 2g.67gb", 2, 3, 36, 4, 2, 0, 2, 0, 68096, grid(2, {0, 2, 4})},
            // [inferred] 3g/4g/7g: SMs, engines and memory (no published `-lgip` shows these rows; see above)
            {0x2, 9, "MIG 3g.135gb", 3, 2, 68, 6, 3, 0, 3, 0, 137728, grid(4, {0, 4})},
            {0x3, 5, "MIG 4g.135gb", 4, 1, 72, 8, 4, 0, 4, 0, 137728, grid(4, {0})},
            {0x4, 0, "MIG 7g.269gb", 7, 1, 148, 16, 7, 0, 7, 1, 275712, grid(8, {0})},
            {0x7, 20, "MIG 1g.34gb+me", 1, 1, 18, 2, 1, 0, 1, 1, 34304, grid(1, {0, 1, 2, 3, 4, 5, 6})},
            {0x9, 15, "MIG 1g.67gb", 1, 4, 30, 2, 1, 0, 1, 0, 68096, grid(2, {0, 2, 4, 6})},
        },
        18, CiGrid::Hopper),  // [inferred] SMs of a sub-GI compute instance per compute slice
    // GI id pools (first id per placement size; id = first + rank, see GiIdOrder). [inferred: as Hopper]
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // as the H100 on driver 580 [inferred for this board]
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
