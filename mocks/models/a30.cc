// NVIDIA A30 (24 GB): 4 memory slots, 4 compute slices. Profile rows from a real `-lgip`/`-lgipp`
// (published A30 notes). 4g.24gb memory is 23.44 GiB = 24000 MiB (also 23.50 seen).
#include "models/model.h"

namespace mock {
namespace {

const GpuModel kModel{
    "a30",
    "NVIDIA A30",
    "ampere",
    0x20B710DE,
    0x153210DE,  // [inferred] subsystem id
    24576,       // [inferred] total MiB as nvidia-smi shows for this board
    true,        // Ampere: MIG mode changes stay pending until a GPU reset
    4,
    4,
    4,
    1,  // field 199 [inferred: the 580 driver answers MIG queries with MIG disabled]
    buildProfiles(
        {
            // index id  name  slices instances SMs CE DEC ENC JPEG OFA MiB placements
            {0x0, 14, "MIG 1g.6gb", 1, 4, 14, 1, 1, 0, 0, 0, 5952, grid(1, {0, 1, 2, 3})},
            {0x1, 5, "MIG 2g.12gb", 2, 2, 28, 2, 2, 0, 0, 0, 11968, grid(2, {0, 2})},
            {0x3, 0, "MIG 4g.24gb", 4, 1, 56, 4, 4, 0, 1, 1, 24000, grid(4, {0})},
            {0x7, 21, "MIG 1g.6gb+me", 1, 1, 14, 1, 1, 0, 1, 1, 5952, grid(1, {0, 1, 2, 3})},
            {0x8, 6, "MIG 2g.12gb+me", 2, 1, 28, 2, 2, 0, 1, 1, 11968, grid(2, {0, 2})},
        },
        14, CiGrid::Ampere),  // real A30 SMs per compute slice (14)
    // GI id pools on 4-slot GPUs: full 0, 2-slot {1,2}, 1-slot {3..6}; id = first + start/size.
    {{1, 3}, {2, 1}, {4, 0}},
    GiIdOrder::ByStart,  // the defaults: ids by placement start,
    0,                   // no reserved bytes
    33000,               // [inferred] a plausible idle draw, not measured
};

const ModelRegistration kReg(kModel);

}  // namespace
}  // namespace mock
