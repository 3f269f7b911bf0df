// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace doppel {

class Collector;
class HostServices;
class SecretStore;
class ShadowService;
class ReplayService;
class PlanService;
class CaptureService;
class Settings;

// What the main window is built on; app/doppel/main.cpp (or a test) creates these and keeps
// them alive longer than the window. Every pointer is required.
struct ConsoleServices
{
    QString repositoryPath;
    Settings* settings = nullptr;
    SecretStore* secrets = nullptr;
    HostServices* hostServices = nullptr;
    Collector* collector = nullptr;
    ShadowService* shadow = nullptr;
    ReplayService* replay = nullptr;
    PlanService* plans = nullptr;
    CaptureService* capture = nullptr;
};

} // namespace doppel
