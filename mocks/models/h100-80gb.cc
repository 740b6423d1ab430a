// NVIDIA H100 80GB HBM3 (SXM5). Every profile value below is what the real H100 answered through
// NVML (driver 580.159.04, read-only capture of 2026-11-25), call for call: ids, v1 fields, names,
// placements and the unsupported indices (5, 6, 8, 10..0x11 are absent here, so NOT_SUPPORTED).
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "h100-80gb",
    "NVIDIA H100 80GB HBM3",
    "hopper",
    0x233010DE,
    0x16C110DE,  // [inferred] subsystem id of the SXM5 board
    81559,       // [inferred] total MiB as nvidia-smi shows for this board
    false,       // Hopper: MIG mode switches without a reset
    8,
    7,
    7,
    1,  // field 199: the real H100 answered profiles/placements with MIG disabled
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
    // GI id pools (first id per placement size; id = first + start/size).
    {{1, 7}, {2, 3}, {4, 1}, {8, 0}},
    GiIdOrder::ByStart,  // the defaults: ids by placement start,
    0,                   // no reserved bytes
    72000,               // [inferred] a plausible idle draw, not measured
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
