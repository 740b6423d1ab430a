{
  "targets": [
    {
      # The addon: loads libnvidia-ml at run time (dlopen), so it links nothing of NVIDIA's.
      "target_name": "nvml_mig",
      "sources": ["<!@(find native -name \"*.cc\" | sort)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      # SWALLOW_UNTHROWABLE_EXCEPTIONS: a call that settles while its worker thread's environment is
      # terminating cannot throw into JS; without it node-addon-api throws a C++ exception out of
      # the completion callback and std::terminate() aborts the whole process.
      "defines": ["NAPI_VERSION=9", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_ADDON_API_CPP_EXCEPTIONS",
                  "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "libraries": ["-ldl", "-lpthread"]
    },
    {
      # The mock libnvidia-ml.so.1: a real shared library with NVML's C ABI and SONAME.
      "target_name": "nvidia-ml",
      "type": "shared_library",
      "product_prefix": "lib",
      "product_extension": "so.1",
      "product_dir": "<(PRODUCT_DIR)/mock",
      "sources": ["<!@(find mocks -name \"*.cc\" | sort)"],
      "include_dirs": ["native", "mocks"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fvisibility=hidden", "-fPIC"],
      "ldflags": ["-Wl,-soname,libnvidia-ml.so.1", "-Wl,--no-undefined", "-Wl,--version-script=<!(pwd)/mocks/exports.ver"],
      "libraries": ["-lpthread"]
    },
    {
      # The same mock as an older driver: without the versioned/newer MIG symbols (*V, *_v2,
      # *WithPlacement, GetAttributes_v2, GetMemoryInfo_v2), for fallback and FUNCTION_NOT_FOUND tests.
      "target_name": "nvidia-ml-legacy-lib",
      "type": "shared_library",
      "product_name": "nvidia-ml-legacy",
      "product_prefix": "lib",
      "product_extension": "so.1",
      "product_dir": "<(PRODUCT_DIR)/mock-legacy",
      "sources": ["<!@(find mocks -name \"*.cc\" | sort)"],
      "include_dirs": ["native", "mocks"],
      "defines": ["NVML_MOCK_LEGACY"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fvisibility=hidden", "-fPIC"],
      "ldflags": ["-Wl,--no-undefined", "-Wl,--version-script=<!(pwd)/mocks/exports.ver"],
      "libraries": ["-lpthread"]
    },
    {
      # Gives the legacy mock the file name clients load (LD_LIBRARY_PATH, dlopen by path). Its
      # SONAME stays libnvidia-ml-legacy.so.1: gyp names a shared library after its output file.
      "target_name": "nvidia-ml-legacy",
      "type": "none",
      "dependencies": ["nvidia-ml-legacy-lib"],
      "actions": [{
        "action_name": "name_as_libnvidia_ml",
        "inputs": ["<(PRODUCT_DIR)/mock-legacy/libnvidia-ml-legacy.so.1"],
        "outputs": ["<(PRODUCT_DIR)/mock-legacy/libnvidia-ml.so.1"],
        "action": ["cp", "-f", "<@(_inputs)", "<@(_outputs)"]
      }]
    }
  ]
}
