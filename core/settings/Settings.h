// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSettings>
#include <QVariant>

#include <memory>

namespace doppel {

// Typed settings registry: every key has a name and a default in one table, and the file carries
// a version so later releases can migrate it. Never holds secrets (see SecretStore).
// GUI thread only (QSettings is reentrant, not shared).
class Settings
{
public:
    enum class Key {
        CollectionIntervalMs, // how often the collector samples each host
        CollectionTimeoutMs,  // how long one host may take before it is marked in error
        KnownHostsFile,       // default known_hosts for hosts that do not name one
        RepositoryPath,       // the SQLite repository the console opens
        LabDir,               // where `doppel --lab` keeps its lab
        ChartWindowMinutes,   // how much history a dashboard chart shows
        // The last capture proxy started from the Capture view, so that a console started
        // later finds it again (a capture outlives the console): its capture folder, its
        // production host, whether it runs on that host over SSH, and whether it may still run.
        CaptureDir,
        CaptureProduction,
        CaptureOverSsh,
        CaptureRunning,
    };

    // Settings in the user's config folder ($XDG_CONFIG_HOME/doppel/doppel.conf).
    Settings();
    // Settings in a given file; tests pass a temporary file.
    explicit Settings(const QString& fileName);

    QVariant value(Key key) const;
    void setValue(Key key, const QVariant& value);
    static QString keyName(Key key);
    static QVariant defaultValue(Key key);
    QString fileName() const;
    void sync();

private:
    void migrate();
    std::unique_ptr<QSettings> m_settings;
};

} // namespace doppel
