// SPDX-License-Identifier: GPL-3.0-or-later
#include "StateIcons.h"

#include <QApplication>
#include <QStyle>

// The resources live in the static doppel_ui library: without a reference the linker would drop
// them, so every icon getter registers them first (Q_INIT_RESOURCE must be outside namespaces).
static void initDoppelResources()
{
    static const bool done = [] {
        Q_INIT_RESOURCE(doppel);
        return true;
    }();
    Q_UNUSED(done);
}

namespace doppel {

QIcon appIcon()
{
    initDoppelResources();
    return QIcon(QStringLiteral(":/icons/doppel.svg"));
}

QIcon stateIcon(HostState state)
{
    initDoppelResources();
    switch (state) {
    case HostState::Ok:
        return QIcon(QStringLiteral(":/icons/state-ok.svg"));
    case HostState::Degraded:
        return QIcon(QStringLiteral(":/icons/state-degraded.svg"));
    case HostState::Error:
        return QIcon(QStringLiteral(":/icons/state-error.svg"));
    case HostState::Unknown:
        break;
    }
    return QIcon(QStringLiteral(":/icons/state-unknown.svg"));
}

QIcon severityIcon(Severity severity)
{
    QStyle* style = QApplication::style();
    switch (severity) {
    case Severity::Warning:
        return style->standardIcon(QStyle::SP_MessageBoxWarning);
    case Severity::Error:
        return style->standardIcon(QStyle::SP_MessageBoxCritical);
    case Severity::Info:
        break;
    }
    return style->standardIcon(QStyle::SP_MessageBoxInformation);
}

} // namespace doppel
