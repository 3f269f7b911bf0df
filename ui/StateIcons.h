// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collect/HostState.h"
#include "store/Repository.h"

#include <QIcon>

namespace doppel {

// Icons shared by the views, from resources/doppel.qrc. GUI thread only (QIcon).
QIcon appIcon();
QIcon stateIcon(HostState state);
QIcon severityIcon(Severity severity);

} // namespace doppel
