// The mock library's JSON control channel (nvmlMockControl). It changes the simulated GPUs but
// is the test channel, not a GPU mutation: the read-only interlock does not apply to it.
#include "async.h"
#include "exports.h"

namespace nvmlmig {

namespace {

struct MockControlOp : Op {
  std::string request;
  std::string response;
  void Parse(const Napi::CallbackInfo& info) {
    request = ArgString(info, 0, "requestJson", 16 << 20);  // pooled: may rebuild the whole machine
  }
  void Run() override {
    std::vector<char> buf(4096);
    for (int attempt = 0; attempt < 4; attempt++) {
      unsigned int len = static_cast<unsigned int>(buf.size());
      nvmlReturn_t ret =
          lib().mockControl ? lib().mockControl(request.c_str(), buf.data(), &len) : NVML_ERROR_FUNCTION_NOT_FOUND;
      if (ret == NVML_ERROR_INSUFFICIENT_SIZE && len > buf.size()) {
        buf.resize(static_cast<size_t>(len) + 1);
        continue;
      }
      if (Check(ret, "nvmlMockControl")) response.assign(buf.data(), strnlen(buf.data(), buf.size()));
      return;
    }
    Check(NVML_ERROR_INSUFFICIENT_SIZE, "nvmlMockControl");
  }
  Napi::Value Build(Napi::Env env) override { return Napi::String::New(env, response); }
};

}  // namespace

void RegisterMockControl(Napi::Env env, Napi::Object exports) { NVML_REGISTER_OPS(NVML_OPS_mock_control) }

}  // namespace nvmlmig
