// Entry points nvidia-smi 580 looks up (docs/real-captures/nvidia-smi-580/nvml-names.txt) that the mock
// does not simulate: each answers NVML_ERROR_NOT_SUPPORTED (UNINITIALIZED before nvmlInit), like a
// driver feature the board lacks, so nvidia-smi's MIG listings get as far as the MIG calls. They
// take no arguments here: the caller's arguments are ignored, never read or written.
#include "api.h"

using namespace mock;

#define MOCK_UNSUPPORTED(X)                               \
  X(nvmlDeviceClearAccountingPids)                        \
  X(nvmlDeviceClearEccErrorCounts)                        \
  X(nvmlDeviceClearFieldValues)                           \
  X(nvmlDeviceDiscoverGpus)                               \
  X(nvmlDeviceGetAccountingBufferSize)                    \
  X(nvmlDeviceGetAccountingMode)                          \
  X(nvmlDeviceGetAccountingPids)                          \
  X(nvmlDeviceGetAccountingStats)                         \
  X(nvmlDeviceGetActiveVgpus)                             \
  X(nvmlDeviceGetAddressingMode)                          \
  X(nvmlDeviceGetApplicationsClock)                       \
  X(nvmlDeviceGetAutoBoostedClocksEnabled)                \
  X(nvmlDeviceGetBoardId)                                 \
  X(nvmlDeviceGetBoardPartNumber)                         \
  X(nvmlDeviceGetBrand)                                   \
  X(nvmlDeviceGetBridgeChipInfo)                          \
  X(nvmlDeviceGetC2cModeInfoV)                            \
  X(nvmlDeviceGetCapabilities)                            \
  X(nvmlDeviceGetClock)                                   \
  X(nvmlDeviceGetClockInfo)                               \
  X(nvmlDeviceGetComputeMode)                             \
  X(nvmlDeviceGetConfComputeMemSizeInfo)                  \
  X(nvmlDeviceGetConfComputeProtectedMemoryUsage)         \
  X(nvmlDeviceGetCpuAffinity)                             \
  X(nvmlDeviceGetCreatableVgpus)                          \
  X(nvmlDeviceGetCurrPcieLinkGeneration)                  \
  X(nvmlDeviceGetCurrPcieLinkWidth)                       \
  X(nvmlDeviceGetCurrentClocksThrottleReasons)            \
  X(nvmlDeviceGetDecoderUtilization)                      \
  X(nvmlDeviceGetDefaultApplicationsClock)                \
  X(nvmlDeviceGetDisplayActive)                           \
  X(nvmlDeviceGetDisplayMode)                             \
  X(nvmlDeviceGetDramEncryptionMode)                      \
  X(nvmlDeviceGetDriverModel_v2)                          \
  X(nvmlDeviceGetEccMode)                                 \
  X(nvmlDeviceGetEncoderSessions)                         \
  X(nvmlDeviceGetEncoderStats)                            \
  X(nvmlDeviceGetEncoderUtilization)                      \
  X(nvmlDeviceGetEnforcedPowerLimit)                      \
  X(nvmlDeviceGetFBCSessions)                             \
  X(nvmlDeviceGetFBCStats)                                \
  X(nvmlDeviceGetFanSpeed)                                \
  X(nvmlDeviceGetGpcClkVfOffset)                          \
  X(nvmlDeviceGetGpuFabricInfoV)                          \
  X(nvmlDeviceGetGpuMaxPcieLinkGeneration)                \
  X(nvmlDeviceGetGpuOperationMode)                        \
  X(nvmlDeviceGetGridLicensableFeatures_v4)               \
  X(nvmlDeviceGetGspFirmwareMode)                         \
  X(nvmlDeviceGetGspFirmwareVersion)                      \
  X(nvmlDeviceGetHostVgpuMode)                            \
  X(nvmlDeviceGetHostname_v1)                             \
  X(nvmlDeviceGetInforomImageVersion)                     \
  X(nvmlDeviceGetInforomVersion)                          \
  X(nvmlDeviceGetJpgUtilization)                          \
  X(nvmlDeviceGetLastBBXFlushTime)                        \
  X(nvmlDeviceGetMarginTemperature)                       \
  X(nvmlDeviceGetMaxClockInfo)                            \
  X(nvmlDeviceGetMaxPcieLinkGeneration)                   \
  X(nvmlDeviceGetMaxPcieLinkWidth)                        \
  X(nvmlDeviceGetMemoryAffinity)                          \
  X(nvmlDeviceGetMemoryErrorCounter)                      \
  X(nvmlDeviceGetModuleId)                                \
  X(nvmlDeviceGetMultiGpuBoard)                           \
  X(nvmlDeviceGetNumaNodeId)                              \
  X(nvmlDeviceGetNvLinkCapability)                        \
  X(nvmlDeviceGetNvLinkInfo)                              \
  X(nvmlDeviceGetNvLinkRemotePciInfo_v2)                  \
  X(nvmlDeviceGetNvlinkBwMode)                            \
  X(nvmlDeviceGetNvlinkSupportedBwModes)                  \
  X(nvmlDeviceGetOfaUtilization)                          \
  X(nvmlDeviceGetP2PStatus)                               \
  X(nvmlDeviceGetPciInfoExt)                              \
  X(nvmlDeviceGetPcieReplayCounter)                       \
  X(nvmlDeviceGetPcieThroughput)                          \
  X(nvmlDeviceGetPdi)                                     \
  X(nvmlDeviceGetPerformanceState)                        \
  X(nvmlDeviceGetPersistenceMode)                         \
  X(nvmlDeviceGetPlatformInfo)                            \
  X(nvmlDeviceGetPowerManagementDefaultLimit)             \
  X(nvmlDeviceGetPowerManagementLimit)                    \
  X(nvmlDeviceGetPowerManagementLimitConstraints)         \
  X(nvmlDeviceGetPowerManagementMode)                     \
  X(nvmlDeviceGetPowerState)                              \
  X(nvmlDeviceGetRemappedRows)                            \
  X(nvmlDeviceGetRemappedRows_v2)                         \
  X(nvmlDeviceGetRepairStatus)                            \
  X(nvmlDeviceGetRetiredPages)                            \
  X(nvmlDeviceGetRetiredPagesPendingStatus)               \
  X(nvmlDeviceGetRetiredPages_v2)                         \
  X(nvmlDeviceGetRowRemapperHistogram)                    \
  X(nvmlDeviceGetSamples)                                 \
  X(nvmlDeviceGetSerial)                                  \
  X(nvmlDeviceGetSramEccErrorStatus)                      \
  X(nvmlDeviceGetSupportedClocksThrottleReasons)          \
  X(nvmlDeviceGetSupportedGraphicsClocks)                 \
  X(nvmlDeviceGetSupportedMemoryClocks)                   \
  X(nvmlDeviceGetSupportedVgpus)                          \
  X(nvmlDeviceGetTemperature)                             \
  X(nvmlDeviceGetTemperatureThreshold)                    \
  X(nvmlDeviceGetTemperatureV)                            \
  X(nvmlDeviceGetTopologyCommonAncestor)                  \
  X(nvmlDeviceGetTopologyNearestGpus)                     \
  X(nvmlDeviceGetTotalEccErrors)                          \
  X(nvmlDeviceGetUnrepairableMemoryFlag_v1)               \
  X(nvmlDeviceGetVbiosVersion)                            \
  X(nvmlDeviceGetVgpuCapabilities)                        \
  X(nvmlDeviceGetVgpuHeterogeneousMode)                   \
  X(nvmlDeviceGetVgpuInstancesUtilizationInfo)            \
  X(nvmlDeviceGetVgpuMetadata)                            \
  X(nvmlDeviceGetVgpuProcessesUtilizationInfo)            \
  X(nvmlDeviceGetVgpuSchedulerCapabilities)               \
  X(nvmlDeviceGetVgpuSchedulerLog)                        \
  X(nvmlDeviceGetVgpuSchedulerState)                      \
  X(nvmlDeviceGetVgpuTypeCreatablePlacements)             \
  X(nvmlDeviceGetVgpuTypeSupportedPlacements)             \
  X(nvmlDeviceGetViolationStatus)                         \
  X(nvmlDeviceModifyDrainState)                           \
  X(nvmlDevicePowerSmoothingActivatePresetProfile)        \
  X(nvmlDevicePowerSmoothingSetState)                     \
  X(nvmlDevicePowerSmoothingUpdatePresetProfileParam)     \
  X(nvmlDeviceQueryDrainState)                            \
  X(nvmlDeviceReadPRMCounters_v1)                         \
  X(nvmlDeviceReadWritePRM_v1)                            \
  X(nvmlDeviceRemoveGpu_v2)                               \
  X(nvmlDeviceResetApplicationsClocks)                    \
  X(nvmlDeviceResetGpuLockedClocks)                       \
  X(nvmlDeviceResetMemoryLockedClocks)                    \
  X(nvmlDeviceResetNvLinkErrorCounters)                   \
  X(nvmlDeviceSetAPIRestriction)                          \
  X(nvmlDeviceSetAccountingMode)                          \
  X(nvmlDeviceSetApplicationsClocks)                      \
  X(nvmlDeviceSetAutoBoostedClocksEnabled)                \
  X(nvmlDeviceSetComputeMode)                             \
  X(nvmlDeviceSetConfComputeUnprotectedMemSize)           \
  X(nvmlDeviceSetDefaultAutoBoostedClocksEnabled)         \
  X(nvmlDeviceSetDramEncryptionMode)                      \
  X(nvmlDeviceSetDriverModel)                             \
  X(nvmlDeviceSetEccMode)                                 \
  X(nvmlDeviceSetGpcClkVfOffset)                          \
  X(nvmlDeviceSetGpuLockedClocks)                         \
  X(nvmlDeviceSetGpuOperationMode)                        \
  X(nvmlDeviceSetHostname_v1)                             \
  X(nvmlDeviceSetMemoryLockedClocks)                      \
  X(nvmlDeviceSetNvLinkDeviceLowPowerThreshold)           \
  X(nvmlDeviceSetNvlinkBwMode)                            \
  X(nvmlDeviceSetPersistenceMode)                         \
  X(nvmlDeviceSetPowerManagementLimit_v2)                 \
  X(nvmlDeviceSetTemperatureThreshold)                    \
  X(nvmlDeviceSetVgpuCapabilities)                        \
  X(nvmlDeviceSetVgpuHeterogeneousMode)                   \
  X(nvmlDeviceSetVgpuSchedulerState)                      \
  X(nvmlDeviceSetVirtualizationMode)                      \
  X(nvmlDeviceValidateInforom)                            \
  X(nvmlDeviceWorkloadPowerProfileClearRequestedProfiles) \
  X(nvmlDeviceWorkloadPowerProfileGetCurrentProfiles)     \
  X(nvmlDeviceWorkloadPowerProfileGetProfilesInfo)        \
  X(nvmlDeviceWorkloadPowerProfileSetRequestedProfiles)   \
  X(nvmlGetVgpuDriverCapabilities)                        \
  X(nvmlGpmQueryIfStreamingEnabled)                       \
  X(nvmlGpmSetStreamingEnabled)                           \
  X(nvmlGpuInstanceGetActiveVgpus)                        \
  X(nvmlGpuInstanceGetCreatableVgpus)                     \
  X(nvmlGpuInstanceGetVgpuHeterogeneousMode)              \
  X(nvmlGpuInstanceGetVgpuSchedulerLog)                   \
  X(nvmlGpuInstanceGetVgpuSchedulerState)                 \
  X(nvmlGpuInstanceGetVgpuTypeCreatablePlacements)        \
  X(nvmlGpuInstanceSetVgpuHeterogeneousMode)              \
  X(nvmlGpuInstanceSetVgpuSchedulerState)                 \
  X(nvmlSystemGetConfComputeCapabilities)                 \
  X(nvmlSystemGetConfComputeGpusReadyState)               \
  X(nvmlSystemGetConfComputeKeyRotationThresholdInfo)     \
  X(nvmlSystemGetConfComputeSettings)                     \
  X(nvmlSystemGetConfComputeState)                        \
  X(nvmlSystemGetHicVersion)                              \
  X(nvmlSystemGetNvlinkBwMode)                            \
  X(nvmlSystemGetTopologyGpuSet)                          \
  X(nvmlSystemSetConfComputeGpusReadyState)               \
  X(nvmlSystemSetConfComputeKeyRotationThresholdInfo)     \
  X(nvmlSystemSetNvlinkBwMode)                            \
  X(nvmlUnitGetDevices)                                   \
  X(nvmlUnitGetFanSpeedInfo)                              \
  X(nvmlUnitGetHandleByIndex)                             \
  X(nvmlUnitGetLedState)                                  \
  X(nvmlUnitGetPsuInfo)                                   \
  X(nvmlUnitGetTemperature)                               \
  X(nvmlUnitGetUnitInfo)                                  \
  X(nvmlUnitSetLedState)                                  \
  X(nvmlVgpuInstanceClearAccountingPids)                  \
  X(nvmlVgpuInstanceGetAccountingMode)                    \
  X(nvmlVgpuInstanceGetAccountingPids)                    \
  X(nvmlVgpuInstanceGetAccountingStats)                   \
  X(nvmlVgpuInstanceGetEccMode)                           \
  X(nvmlVgpuInstanceGetEncoderSessions)                   \
  X(nvmlVgpuInstanceGetEncoderStats)                      \
  X(nvmlVgpuInstanceGetFBCSessions)                       \
  X(nvmlVgpuInstanceGetFBCStats)                          \
  X(nvmlVgpuInstanceGetFbUsage)                           \
  X(nvmlVgpuInstanceGetFrameRateLimit)                    \
  X(nvmlVgpuInstanceGetGpuInstanceId)                     \
  X(nvmlVgpuInstanceGetGpuPciId)                          \
  X(nvmlVgpuInstanceGetLicenseInfo_v2)                    \
  X(nvmlVgpuInstanceGetMdevUUID)                          \
  X(nvmlVgpuInstanceGetPlacementId)                       \
  X(nvmlVgpuInstanceGetType)                              \
  X(nvmlVgpuInstanceGetUUID)                              \
  X(nvmlVgpuInstanceGetVmDriverVersion)                   \
  X(nvmlVgpuInstanceGetVmID)                              \
  X(nvmlVgpuTypeGetBAR1Info)                              \
  X(nvmlVgpuTypeGetCapabilities)                          \
  X(nvmlVgpuTypeGetClass)                                 \
  X(nvmlVgpuTypeGetDeviceID)                              \
  X(nvmlVgpuTypeGetFrameRateLimit)                        \
  X(nvmlVgpuTypeGetFramebufferSize)                       \
  X(nvmlVgpuTypeGetGpuInstanceProfileId)                  \
  X(nvmlVgpuTypeGetLicense)                               \
  X(nvmlVgpuTypeGetMaxInstances)                          \
  X(nvmlVgpuTypeGetMaxInstancesPerGpuInstance)            \
  X(nvmlVgpuTypeGetMaxInstancesPerVm)                     \
  X(nvmlVgpuTypeGetName)                                  \
  X(nvmlVgpuTypeGetNumDisplayHeads)                       \
  X(nvmlVgpuTypeGetResolution)

#define MOCK_DEFINE_UNSUPPORTED(name)                                  \
  MOCK_EXPORT nvmlReturn_t name(void) {                                \
    return call(#name, true, [] { return NVML_ERROR_NOT_SUPPORTED; }); \
  }
MOCK_UNSUPPORTED(MOCK_DEFINE_UNSUPPORTED)

// A few of nvidia-smi's start-up questions have a cheap true answer.

// No GPU is excluded from use.
MOCK_EXPORT nvmlReturn_t nvmlGetExcludedDeviceCount(unsigned int* count) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!count) return NVML_ERROR_INVALID_ARGUMENT;
    *count = 0;
    return NVML_SUCCESS;
  });
}
MOCK_EXPORT nvmlReturn_t nvmlGetExcludedDeviceInfoByIndex(unsigned int, void*) {
  return call(__func__, true, []() -> nvmlReturn_t { return NVML_ERROR_INVALID_ARGUMENT; });
}

// No S-class units (those are VCA appliances).
MOCK_EXPORT nvmlReturn_t nvmlUnitGetCount(unsigned int* unitCount) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!unitCount) return NVML_ERROR_INVALID_ARGUMENT;
    *unitCount = 0;
    return NVML_SUCCESS;
  });
}

// Bare metal: NVML_GPU_VIRTUALIZATION_MODE_NONE.
MOCK_EXPORT nvmlReturn_t nvmlDeviceGetVirtualizationMode(nvmlDevice_t device, unsigned int* mode) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    if (!mode) return NVML_ERROR_INVALID_ARGUMENT;
    return onGpu(device, [&](const MachineState&, const DeviceRef&) -> nvmlReturn_t {
      *mode = 0;
      return NVML_SUCCESS;
    });
  });
}

// Names of the simulated processes.
MOCK_EXPORT nvmlReturn_t nvmlSystemGetProcessName(unsigned int pid, char* name, unsigned int length) {
  return call(__func__, true, [&]() -> nvmlReturn_t {
    return readState([&](const MachineState& m) -> nvmlReturn_t {
      for (const GpuState& g : m.gpus)
        for (const ProcessState& p : g.processes)
          if (p.pid == pid) return copyString(p.name, name, length);
      return NVML_ERROR_NOT_FOUND;
    });
  });
}
