// SPDX-License-Identifier: GPL-3.0-or-later
#include "Prompt.h"

#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>

namespace doppel {

std::optional<Prompt::Answer> Prompt::s_nextAnswer;
QString Prompt::s_lastText;
int Prompt::s_askedCount = 0;

void Prompt::ask(QWidget* parent, const QString& title, const QString& text,
                 const QString& acceptLabel, Callback done)
{
    s_lastText = text;
    ++s_askedCount;
    if (s_nextAnswer) {
        const Answer answer = *s_nextAnswer;
        s_nextAnswer.reset();
        // Answer on the next turn of the loop, like a real click would, so callers never see
        // their callback run inside ask().
        QObject* context = parent ? static_cast<QObject*>(parent) : qApp;
        QTimer::singleShot(0, context, [done = std::move(done), answer] { done(answer); });
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::NoButton, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    box->setTextFormat(Qt::PlainText);
    QPushButton* accept = box->addButton(acceptLabel, QMessageBox::AcceptRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    QObject* context = parent ? static_cast<QObject*>(parent) : box;
    QObject::connect(box, &QMessageBox::finished, context, [box, accept, done = std::move(done)] {
        done(box->clickedButton() == accept ? Answer::Accept : Answer::Reject);
    });
    box->open();
}

void Prompt::setNextAnswer(Answer answer)
{
    s_nextAnswer = answer;
}

void Prompt::clearNextAnswer()
{
    s_nextAnswer.reset();
}

QString Prompt::lastText()
{
    return s_lastText;
}

int Prompt::askedCount()
{
    return s_askedCount;
}

} // namespace doppel
