// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// parley-monitor: watches running Parley programs (started with --monitor=HOST:PORT) and opens
// their recordings. A Parley program itself: the listener and its sessions are Parley objects,
// the window is the main object's, on the GUI thread. See docs/monitor.md.

#include "listener.h"
#include "mainwindow.h"

#include <parley/gui.h>
#include <parley/machine.h>

#include <QtCore/QTimer>

#include <cstdio>
#include <cstring>

using namespace Parley;
using namespace Parley::Monitor;

namespace {

/// The monitor's settings: `--listen=HOST:PORT` and so on (docs/monitor.md).
struct MonitorSettings
{
    QString listen = QStringLiteral("127.0.0.1:32100"); ///< "" or "off": do not listen
    QString screenshot;   ///< render the views into this folder, print a summary and quit
    qint32 quitAfter = 0; ///< ms: quit (after --screenshot's rendering) once this has passed
    qint64 capacity = 0;  ///< records kept; 0 = the stored setting (1,000,000 at first)
};
PARLEY_MESSAGE_AS(MonitorSettings, "monitor.Settings", listen, screenshot, quitAfter, capacity)

/// What the monitor prints when it quits by itself (--screenshot, --quit-after).
struct Summary
{
    int sources = 0;
    int liveSources = 0;
    qint64 records = 0;
    quint64 dropped = 0;
    int objects = 0;
    int aliveObjects = 0;
    int arrows = 0;
    int crossProcessArrows = 0;
    QStringList programs;
    QStringList files;
};
PARLEY_MESSAGE_AS(Summary, "monitor.Summary", sources, liveSources, records, dropped, objects,
                  aliveObjects, arrows, crossProcessArrows, programs, files)

struct WindowClosed
{
};
PARLEY_MESSAGE_AS(WindowClosed, "monitor.WindowClosed")
struct TimeIsUp
{
};
PARLEY_MESSAGE_AS(TimeIsUp, "monitor.TimeIsUp")

QStringList g_files; // recordings named on the command line

/// The main object: makes the window and the listener, quits when the window closes (or, with
/// --screenshot/--quit-after, when the work is done).
class MonitorApp : public Machine
{
public:
    explicit MonitorApp(const MonitorSettings &settings)
    {
        on<Start>([this, settings] { start(settings); });
        on<WindowClosed>([this] { complete(Ack{}); });
        on<TimeIsUp>([this, settings] { finish(settings); });
        on<Completed>([] {}); // the listener ends when it cannot listen; it said why
        on<Stop>([this] { complete(Aborted{}); });
    }
    ~MonitorApp() override { delete m_window; }

private:
    void start(const MonitorSettings &settings)
    {
        m_queue = std::make_shared<IngestQueue>();
        m_window = new MainWindow(m_queue);
        if (settings.capacity > 0)
            m_window->store()->setCapacity(settings.capacity);
        Runtime *rt = runtime();
        m_window->setCaptureSender([rt](const Address &to, const CaptureFilter &filter) {
            rt->send(CaptureFilter(filter), to);
            return true;
        });
        const Address self = address();
        QObject::connect(m_window, &MainWindow::closed, m_window,
                         [rt, self] { rt->send(WindowClosed{}, self); });

        const QString listen = settings.listen.trimmed();
        if (!listen.isEmpty() && listen != QLatin1String("off")) {
            HostPort at;
            if (parseHostPort(listen, at))
                createOn<StreamListener>(Placement::AnyWorker, m_queue, at);
            else
                m_queue->status(
                    QStringLiteral("--listen=%1 is not HOST:PORT; not listening").arg(listen),
                    LogLevel::Fault);
        }
        m_window->openFiles(g_files);

        const bool unattended = !settings.screenshot.isEmpty() || settings.quitAfter > 0;
        if (!unattended) {
            m_window->show();
            return;
        }
        // Unattended: wait for --quit-after (or for the recordings to be read), then finish.
        auto *timer = new QTimer(m_window);
        const qint64 deadline = settings.quitAfter;
        auto *clock = new QElapsedTimer;
        clock->start();
        QObject::connect(
            timer, &QTimer::timeout, m_window, [this, rt, self, timer, clock, deadline] {
                const bool due = deadline > 0 ? clock->elapsed() >= deadline : !m_window->isBusy();
                if (due) {
                    timer->stop();
                    delete clock;
                    rt->send(TimeIsUp{}, self);
                }
            });
        timer->start(100);
        m_window->setAttribute(Qt::WA_DontShowOnScreen, true);
        m_window->show();
    }

    void finish(const MonitorSettings &settings)
    {
        m_window->ingestor()->drainAll();
        QStringList files;
        if (!settings.screenshot.isEmpty())
            files = m_window->renderScreenshots(settings.screenshot);
        const MonitorSummary s = m_window->summary();
        complete(Summary{s.sources, s.liveSources, s.records, s.dropped, s.objects, s.aliveObjects,
                         s.arrows, s.crossProcessArrows, s.programs, files});
    }

    std::shared_ptr<IngestQueue> m_queue;
    MainWindow *m_window = nullptr;
};

} // namespace

int main(int argc, char **argv)
{
    // The monitor does not stream to itself: a shell that exports PARLEY_MONITOR for the
    // programs it starts would otherwise make the monitor feed its own stream (--monitor still
    // sends its events to another monitor, when asked for by name).
    qunsetenv("PARLEY_MONITOR");
    // Recordings may be named on the command line; Parley's settings parser takes the rest.
    std::vector<char *> args;
    bool offscreen = false;
    for (int i = 0; i < argc; ++i) {
        if (i > 0 && argv[i][0] != '-') {
            g_files << QString::fromLocal8Bit(argv[i]);
            continue;
        }
        if (std::strncmp(argv[i], "--screenshot=", 13) == 0)
            offscreen = true;
        if (std::strncmp(argv[i], "--listen=", 9) == 0) {
            const QString value = QString::fromLocal8Bit(argv[i] + 9).trimmed();
            HostPort at;
            if (!value.isEmpty() && value != QLatin1String("off") && !parseHostPort(value, at)) {
                std::fprintf(stderr, "parley-monitor: %s: expected HOST:PORT, PORT or off\n",
                             argv[i]);
                return UsageExitStatus;
            }
        }
        args.push_back(argv[i]);
    }
    // Rendering screenshots needs no screen.
    if (offscreen && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")
        && qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    int count = int(args.size());
    args.push_back(nullptr);
    return runGui<MonitorApp>(count, args.data(), MonitorSettings{});
}
