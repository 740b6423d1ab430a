// Help texts: `nvml-mig --help` lists everything; `nvml-mig <command> --help` explains one.

const GLOBAL = `Usage: nvml-mig [options] <command> [arguments]
       nvml-mig [options] mig <-lgip|-lgipp|-cgi ...|-lgi|-dgi|-lcip|-cci|-lci|-dci> [-gi ids] [-ci ids] [-C]

Manage NVIDIA MIG through NVML. Both nvidia-smi's spelling and readable commands work.

Commands (nvidia-smi spelling in brackets):
  mode enable|disable     Enable or disable MIG mode                      [-mig 1|0]
  list                    GPUs and their MIG devices with UUIDs            [-L]
  status                  One tree per GPU: mode, instances, MIG devices, processes
  profiles                GPU instance profiles with free/total counts     [mig -lgip]
  placements              Possible placements of each GI profile           [mig -lgipp]
  create-gi <profiles>    Create GPU instances (-C: with default CIs)      [mig -cgi 19,14,9 -C]
  list-gi [ids]           List GPU instances                               [mig -lgi]
  destroy-gi [ids]        Destroy GPU instances (all when none given)      [mig -dgi -gi 7]
  ci-profiles [ids]       Compute instance profiles of GPU instances       [mig -lcip]
  create-ci [profiles]    Create compute instances (--gi to choose GIs)    [mig -cci 0,1 -gi 1]
  list-ci [ids]           List compute instances                           [mig -lci]
  destroy-ci [ids]        Destroy compute instances (all when none given)  [mig -dci -gi 1 -ci 0]
  apply <config>          Apply a declarative (mig-parted) layout
  assert <config>         Check that the GPUs match a layout (exit 1 if not)
  export                  Print the current layout as a config
  exporter                Serve Prometheus metrics of GPUs and MIG devices
  help [command]          This text, or a command's own

Profiles: an id (19), a short name (1g.10gb) or the driver's name ('MIG 1g.10gb'), resolved per GPU;
optionally :start for a placement (9:4). Lists are comma-separated.

Options (anywhere on the line):
  -i, --id <gpus>         GPUs by index list (0,1), UUID or PCI bus id; default: all GPUs
  -gi <ids>, -ci <ids>    GPU / compute instance ids (also --gi, --ci)
  --json                  One JSON document on stdout (schema: docs/cli.md)
  --read-only             Refuse every change before it reaches the driver
  --mock [machine]        Use the bundled simulated GPUs (h100-80gb, a100-40gb:2, a30, ...)
  --mock-state <file>     State file of the simulation (default: one per machine in the temp folder)
  --debug                 Print stack traces of errors
  -h, --help              Help

Exit codes: 0 ok, 1 partial (pending mode, layout mismatch), 2 usage, 3 refused by NVML,
            4 needs root, 5 busy (in use), 6 NVML library not loadable, 7 refused by --read-only

Try it without a GPU:  nvml-mig --mock h100-80gb mig -lgip
`;

const COMMANDS: Record<string, string> = {
  mode: `Usage: nvml-mig [-i gpus] mode enable|disable      (nvidia-smi: nvml-mig -i 0 -mig 1|0)

Enables or disables MIG mode. Hopper and later switch at once; Ampere (A100, A30) keeps the
change pending until the GPU is reset. nvml-mig never resets a GPU: it says when a reset is
needed ('sudo nvidia-smi -r -i <gpu>' with no process on the GPU, or a reboot).
Exit: 0 done, 1 pending (reset needed), 5 pending or refused because processes use the GPU, 4 needs root.
`,
  list: `Usage: nvml-mig [-i gpus] list                     (nvidia-smi: nvml-mig -L)

GPUs with their UUIDs and, under each, its MIG devices with their UUIDs.
`,
  status: `Usage: nvml-mig [-i gpus] status

One tree per GPU: PCI bus id, MIG mode (current and pending), memory, GPU instances with their
placement and memory, their compute instances, the MIG device (UUID) of each, and the processes.
`,
  profiles: `Usage: nvml-mig [-i gpus] profiles                 (nvidia-smi: nvml-mig mig -lgip)

The GPU instance profiles of each GPU: id, free/total instances, memory (GiB), P2P, SMs and engines.
`,
  placements: `Usage: nvml-mig [-i gpus] placements               (nvidia-smi: nvml-mig mig -lgipp)

Where each GPU instance profile can be placed, as {starts}:size on the GPU's memory slots.
`,
  'create-gi': `Usage: nvml-mig [-i gpus] create-gi <profile>[,<profile>...] [-C]
       (nvidia-smi: nvml-mig mig -cgi 19,14,9 -C)

Creates GPU instances in the order given; -C (--default-compute-instance) also creates each one's
default compute instance. A profile is an id (19), a short name (3g.40gb) or 'MIG 3g.40gb', with an
optional :start placement (9:4). Stops at the first failure on a GPU.
`,
  'list-gi': `Usage: nvml-mig [-i gpus] list-gi [ids] [--gi ids]  (nvidia-smi: nvml-mig mig -lgi [-gi ids])

Lists GPU instances: profile, id and placement (start:size).
`,
  'destroy-gi': `Usage: nvml-mig [-i gpus] destroy-gi [ids] [--gi ids]  (nvidia-smi: nvml-mig mig -dgi [-gi ids])

Destroys the given GPU instances, or every GPU instance of the selected GPUs when none are given.
A GPU instance with compute instances or processes is refused (exit 5) with what holds it.
`,
  'ci-profiles': `Usage: nvml-mig [-i gpus] ci-profiles [ids] [--gi ids]  (nvidia-smi: nvml-mig mig -lcip [-gi ids])

Compute instance profiles of each GPU instance; '*' marks the default (full-size) one.
`,
  'create-ci': `Usage: nvml-mig [-i gpus] create-ci [profile,...] [--gi ids]  (nvidia-smi: nvml-mig mig -cci [profiles] -gi ids)

Creates compute instances in the given GPU instances (all of them when --gi is not given). Without
profiles, the default (full-size) compute instance profile.
`,
  'list-ci': `Usage: nvml-mig [-i gpus] list-ci [ids] [--gi ids] [--ci ids]  (nvidia-smi: nvml-mig mig -lci)

Lists compute instances: GPU instance, profile, id and placement.
`,
  'destroy-ci': `Usage: nvml-mig [-i gpus] destroy-ci [ids] [--gi ids] [--ci ids]  (nvidia-smi: nvml-mig mig -dci)

Destroys the selected compute instances (every one when no filter is given). A compute instance
with processes is refused (exit 5), naming them.
`,
  apply: `Usage: nvml-mig apply -f <file> [-c <config>] [--dry-run] [--force] [-i 0,1] [--rollback-on-failure] [--reset-hook <command>] [--json]

Brings the GPUs to a layout of a mig-parted config file (the selected config, -c), changing only
what differs. --dry-run prints the plan; instances with processes are kept unless --force.
`,
  assert: `Usage: nvml-mig assert -f <file> [-c <config>] [-i 0,1] [--json]

Checks that the GPUs match a layout of a mig-parted config file. Exit 0 if they do, 1 if not.
`,
  export: `Usage: nvml-mig export [--yaml|--json] [-l <label>] [-i 0,1]

Prints the current MIG layout as a mig-parted config (YAML by default).
`,
};

/** The help text for a topic (a command name), or the global one. Null for an unknown topic. */
export function helpText(topic: string | null): string | null {
  if (topic === null) return GLOBAL;
  return COMMANDS[topic] ?? null;
}
