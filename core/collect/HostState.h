// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

namespace doppel {

// A host's connection state as the inventory shows it.
enum class HostState {
    Unknown,  // not collected yet
    Ok,       // last round read everything
    Degraded, // some parts failed (e.g. SSH down, PostgreSQL up)
    Error,    // nothing could be read; the reason says why
};

QString hostStateName(HostState state);

} // namespace doppel

Q_DECLARE_METATYPE(doppel::HostState)
