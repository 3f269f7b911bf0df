// SPDX-License-Identifier: GPL-3.0-or-later
#include "Settings.h"

#include "store/Repository.h"

#include <QDir>
#include <QStandardPaths>

namespace doppel {

static constexpr int SettingsVersion = 1;

Settings::Settings()
    : m_settings(std::make_unique<QSettings>(
          QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
              .filePath(QStringLiteral("doppel/doppel.conf")),
          QSettings::IniFormat))
{
    migrate();
}

Settings::Settings(const QString& fileName)
    : m_settings(std::make_unique<QSettings>(fileName, QSettings::IniFormat))
{
    migrate();
}

void Settings::migrate()
{
    // Version 0 (no key) had no settings worth converting; later versions convert here.
    if (m_settings->value(QStringLiteral("version"), 0).toInt() < SettingsVersion)
        m_settings->setValue(QStringLiteral("version"), SettingsVersion);
}

QString Settings::keyName(Key key)
{
    switch (key) {
    case Key::CollectionIntervalMs:
        return QStringLiteral("collector/interval_ms");
    case Key::CollectionTimeoutMs:
        return QStringLiteral("collector/timeout_ms");
    case Key::KnownHostsFile:
        return QStringLiteral("ssh/known_hosts");
    case Key::RepositoryPath:
        return QStringLiteral("repository/path");
    case Key::LabDir:
        return QStringLiteral("lab/dir");
    case Key::ChartWindowMinutes:
        return QStringLiteral("dashboard/window_minutes");
    case Key::CaptureDir:
        return QStringLiteral("capture/dir");
    case Key::CaptureProduction:
        return QStringLiteral("capture/production");
    case Key::CaptureOverSsh:
        return QStringLiteral("capture/over_ssh");
    case Key::CaptureRunning:
        return QStringLiteral("capture/running");
    }
    return {};
}

QVariant Settings::defaultValue(Key key)
{
    switch (key) {
    case Key::CollectionIntervalMs:
        return 10000;
    case Key::CollectionTimeoutMs:
        return 8000;
    case Key::KnownHostsFile:
        return QDir::home().filePath(QStringLiteral(".ssh/known_hosts"));
    case Key::RepositoryPath:
        return Repository::defaultPath();
    case Key::LabDir:
        return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
            .filePath(QStringLiteral("doppel/lab"));
    case Key::ChartWindowMinutes:
        return 30;
    case Key::CaptureDir:
    case Key::CaptureProduction:
        return QString();
    case Key::CaptureOverSsh:
    case Key::CaptureRunning:
        return false;
    }
    return {};
}

QVariant Settings::value(Key key) const
{
    return m_settings->value(keyName(key), defaultValue(key));
}

void Settings::setValue(Key key, const QVariant& value)
{
    m_settings->setValue(keyName(key), value);
}

QString Settings::fileName() const
{
    return m_settings->fileName();
}

void Settings::sync()
{
    m_settings->sync();
}

} // namespace doppel
