// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A widgets program for tst_rungui: its main object shows a label from its Start handler and
// completes with Title{text} when the handler ran on the GUI thread of a QApplication.

#include <parley/gui.h>
#include <parley/machine.h>

#include <QtCore/QThread>
#include <QtWidgets/QLabel>

struct GuiSettings
{
    QString title = QStringLiteral("hello");
};
PARLEY_MESSAGE(GuiSettings, title)

struct Title
{
    QString text;
    bool onGuiThread = false;
};
PARLEY_MESSAGE(Title, text, onGuiThread)

class Window : public Parley::Machine
{
public:
    explicit Window(const GuiSettings &settings)
    {
        on<Parley::Start>([this, settings] {
            auto *label = new QLabel(settings.title); // only legal on the GUI thread
            label->show();
            const bool gui = qobject_cast<QApplication *>(QCoreApplication::instance())
                && QThread::currentThread() == QCoreApplication::instance()->thread();
            const QString text = label->text();
            delete label;
            complete(Title{text, gui});
        });
    }
};

int main(int argc, char **argv)
{
    return Parley::runGui<Window>(argc, argv, GuiSettings{});
}
