// SPDX-License-Identifier: GPL-3.0-or-later
#include "SettingsDialog.h"

#include "settings/Settings.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace doppel {

SettingsDialog::SettingsDialog(Settings& settings, QWidget* parent)
    : QDialog(parent), m_settings(settings)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));

    m_interval = new QSpinBox(this);
    m_interval->setObjectName(QStringLiteral("intervalSpin"));
    m_interval->setRange(1, 3600);
    m_interval->setSuffix(tr(" s"));
    m_interval->setValue(
        std::max(1, settings.value(Settings::Key::CollectionIntervalMs).toInt() / 1000));

    m_window = new QSpinBox(this);
    m_window->setObjectName(QStringLiteral("chartWindowSpin"));
    m_window->setRange(1, 24 * 60);
    m_window->setSuffix(tr(" min"));
    m_window->setValue(settings.value(Settings::Key::ChartWindowMinutes).toInt());

    m_knownHosts = new QLineEdit(settings.value(Settings::Key::KnownHostsFile).toString(), this);
    m_knownHosts->setObjectName(QStringLiteral("knownHostsEdit"));
    m_repository = new QLineEdit(settings.value(Settings::Key::RepositoryPath).toString(), this);
    m_repository->setObjectName(QStringLiteral("repositoryEdit"));

    auto row = [this](QLineEdit* edit, const QString& title, bool save) {
        auto* widget = new QWidget(this);
        auto* layout = new QHBoxLayout(widget);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(edit, 1);
        auto* button = new QToolButton(widget);
        button->setText(QStringLiteral("…"));
        button->setToolTip(tr("Browse"));
        connect(button, &QToolButton::clicked, this,
                [this, edit, title, save] { browse(edit, title, save); });
        layout->addWidget(button);
        return widget;
    };

    auto* form = new QFormLayout;
    form->addRow(tr("Collection &interval:"), m_interval);
    form->addRow(tr("Chart &window:"), m_window);
    form->addRow(tr("Default &known_hosts:"), row(m_knownHosts, tr("known_hosts file"), false));
    form->addRow(tr("&Repository:"), row(m_repository, tr("Doppel repository"), true));
    auto* note = new QLabel(tr("A new repository path takes effect at the next start."), this);
    note->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addStretch(1);
    layout->addWidget(buttons);
    resize(520, sizeHint().height());
}

void SettingsDialog::browse(QLineEdit* edit, const QString& title, bool save)
{
    // Opened with open(): the choice arrives through a signal, no nested event loop.
    auto* dialog = new QFileDialog(this, title, edit->text());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::AnyFile);
    if (save)
        dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setOption(QFileDialog::DontConfirmOverwrite);
    connect(dialog, &QFileDialog::fileSelected, edit, &QLineEdit::setText);
    dialog->open();
}

void SettingsDialog::accept()
{
    m_settings.setValue(Settings::Key::CollectionIntervalMs, m_interval->value() * 1000);
    m_settings.setValue(Settings::Key::ChartWindowMinutes, m_window->value());
    m_settings.setValue(Settings::Key::KnownHostsFile, m_knownHosts->text().trimmed());
    m_settings.setValue(Settings::Key::RepositoryPath, m_repository->text().trimmed());
    m_settings.sync();
    Q_EMIT saved();
    QDialog::accept();
}

} // namespace doppel
