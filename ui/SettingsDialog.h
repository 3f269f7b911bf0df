// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QLineEdit;
class QSpinBox;

namespace doppel {

class Settings;

// Edits the console's settings (collection interval, default known_hosts, repository path,
// chart window) and saves them through Settings on OK. The owner applies what can change live
// (interval, chart window) when `saved` arrives. GUI thread only.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(Settings& settings, QWidget* parent = nullptr);

    void accept() override;

Q_SIGNALS:
    void saved();

private:
    void browse(QLineEdit* edit, const QString& title, bool save);

    Settings& m_settings;
    QSpinBox* m_interval = nullptr;
    QSpinBox* m_window = nullptr;
    QLineEdit* m_knownHosts = nullptr;
    QLineEdit* m_repository = nullptr;
};

} // namespace doppel
