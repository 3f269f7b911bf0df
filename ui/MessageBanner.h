// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>
#include <QTimer>

class QLabel;
class QToolButton;

namespace doppel {

// A non-blocking, dismissable message strip at the top of the main window (after KeePassXC's
// MessageWidget): errors and notices from core and connectors are shown here, never in modal
// dialogs. GUI thread only.
class MessageBanner : public QFrame
{
    Q_OBJECT
public:
    enum class Type { Information, Positive, Warning, Error };

    explicit MessageBanner(QWidget* parent = nullptr);

    QString text() const;
    Type type() const { return m_type; }

public Q_SLOTS:
    // Shows `text`; autoHideMs > 0 hides it again after that long (notices that need no action).
    void showMessage(const QString& text, doppel::MessageBanner::Type type, int autoHideMs = 0);
    void hideMessage();

private:
    QLabel* m_icon = nullptr;
    QLabel* m_text = nullptr;
    QToolButton* m_close = nullptr;
    QTimer m_autoHide;
    Type m_type = Type::Information;
};

} // namespace doppel
