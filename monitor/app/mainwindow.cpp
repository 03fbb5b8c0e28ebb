// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include <views/detailsview.h>
#include <views/flowview.h>
#include <views/logview.h>
#include <views/objecttreeview.h>
#include <views/selectionhub.h>

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QLocale>
#include <QtCore/QMimeData>
#include <QtCore/QSettings>
#include <QtGui/QAction>
#include <QtGui/QCloseEvent>
#include <QtGui/QKeySequence>
#include <QtWidgets/QApplication>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QDialog>
#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QDockWidget>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QMenuBar>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QTableView>
#include <QtWidgets/QToolBar>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QTreeView>
#include <QtWidgets/QVBoxLayout>

namespace Parley::Monitor {

namespace {

QString number(quint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

QDockWidget *dock(const QString &title, const QString &name, QWidget *widget, QMainWindow *window)
{
    auto *d = new QDockWidget(title, window);
    d->setObjectName(name);
    d->setWidget(widget);
    d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                   | QDockWidget::DockWidgetClosable);
    return d;
}

} // namespace

MainWindow::MainWindow(std::shared_ptr<IngestQueue> queue, QWidget *parent)
    : QMainWindow(parent), m_queue(std::move(queue))
{
    setWindowTitle(QStringLiteral("Parley Monitor"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);

    m_store = new EventStore(this);
    m_ingestor = new Ingestor(m_store, m_queue.get(), this);
    m_loader = std::make_unique<RecordingLoader>(m_queue.get());
    m_hub = new SelectionHub(m_store, this);
    m_log = new LogModel(m_store, this);
    m_filtered = new LogFilterModel(m_log, this);
    m_tree = new ObjectTreeModel(m_store, this);
    m_flow = new FlowModel(m_store, this);
    m_flow->setBudget(5); // the flow takes new records between events, not in the commit
    m_sources = new SourcesModel(m_store, this);
    m_details = new DetailsModel(m_store, this);

    // -- the log in the middle
    m_logView = new LogView(m_filtered, m_hub);
    setCentralWidget(m_logView);

    // -- processes and objects on the left
    m_sourcesView = new QTableView;
    m_sourcesView->setModel(m_sources);
    m_sourcesView->verticalHeader()->setVisible(false);
    m_sourcesView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_sourcesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sourcesView->setShowGrid(false);
    m_sourcesView->setAlternatingRowColors(true);
    m_sourcesView->setWordWrap(false);
    m_sourcesView->horizontalHeader()->setStretchLastSection(true);
    m_sourcesView->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    {
        QHeaderView *h = m_sourcesView->horizontalHeader();
        const QFontMetrics fm = fontMetrics();
        h->resizeSection(SourcesModel::ProgramColumn,
                         fm.horizontalAdvance(QStringLiteral("hello-server")) + 16);
        h->resizeSection(SourcesModel::PidColumn,
                         fm.horizontalAdvance(QStringLiteral("999999")) + 12);
        h->resizeSection(SourcesModel::HostColumn,
                         fm.horizontalAdvance(QStringLiteral("lab-host-1")) + 12);
        h->resizeSection(SourcesModel::RuntimeColumn,
                         fm.horizontalAdvance(QStringLiteral("Buster-1")) + 12);
        h->resizeSection(SourcesModel::StateColumn,
                         fm.horizontalAdvance(QStringLiteral("this monitor")) + 12);
        h->resizeSection(SourcesModel::EventsColumn,
                         fm.horizontalAdvance(QStringLiteral("1,000,000")) + 12);
        h->resizeSection(SourcesModel::RateColumn,
                         fm.horizontalAdvance(QStringLiteral("Events/s")) + 14);
        h->resizeSection(SourcesModel::DroppedAtSourceColumn,
                         fm.horizontalAdvance(QStringLiteral("Lost at source")) + 14);
        h->resizeSection(SourcesModel::DroppedInMonitorColumn,
                         fm.horizontalAdvance(QStringLiteral("Lost here")) + 14);
    }
    m_treeView = new ObjectTreeView(m_tree, m_hub);
    QDockWidget *processes
        = dock(QStringLiteral("Processes"), QStringLiteral("processes"), m_sourcesView, this);
    QDockWidget *objects
        = dock(QStringLiteral("Objects"), QStringLiteral("objects"), m_treeView, this);
    addDockWidget(Qt::LeftDockWidgetArea, processes);
    addDockWidget(Qt::LeftDockWidgetArea, objects);
    splitDockWidget(processes, objects, Qt::Vertical);

    // -- the flow and the details on the right
    auto *flowPane = new QWidget;
    m_flowView = new FlowView(m_flow);
    m_flowScope = new QComboBox;
    m_flowScope->addItem(QStringLiteral("Messages the log shows"));
    m_flowScope->addItem(QStringLiteral("Messages of the selected objects"));
    m_flowScope->setToolTip(QStringLiteral("Which messages become arrows: those the log's display "
                                           "filter lets through, or those sent or received by the "
                                           "objects selected in the tree"));
    auto *collapse = new QCheckBox(QStringLiteral("Collapse idle lifelines"));
    collapse->setChecked(true);
    collapse->setToolTip(
        QStringLiteral("Draw lifelines with no arrow in view as a narrow strip (C)"));
    auto *exportButton = new QToolButton;
    exportButton->setText(QStringLiteral("Export…"));
    exportButton->setToolTip(QStringLiteral("Save the flow as PNG or SVG (Ctrl+Shift+E)"));
    auto *flowBar = new QHBoxLayout;
    flowBar->setContentsMargins(4, 4, 4, 2);
    flowBar->addWidget(m_flowScope, 1);
    flowBar->addWidget(collapse);
    flowBar->addWidget(exportButton);
    auto *flowLayout = new QVBoxLayout(flowPane);
    flowLayout->setContentsMargins(0, 0, 0, 0);
    flowLayout->setSpacing(0);
    flowLayout->addLayout(flowBar);
    flowLayout->addWidget(m_flowView, 1);
    m_detailsView = new DetailsView(m_details, m_hub);
    QDockWidget *flow
        = dock(QStringLiteral("Message flow"), QStringLiteral("flow"), flowPane, this);
    QDockWidget *details
        = dock(QStringLiteral("Details"), QStringLiteral("details"), m_detailsView, this);
    // The log and the flow both want width: the flow goes under the log, the details under the
    // object tree.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, flow);
    addDockWidget(Qt::LeftDockWidgetArea, details);
    splitDockWidget(objects, details, Qt::Vertical);
    resizeDocks({processes, objects, details}, {150, 420, 330}, Qt::Vertical);
    resizeDocks({objects}, {560}, Qt::Horizontal);
    resizeDocks({flow}, {430}, Qt::Vertical);

    connect(m_flowScope, &QComboBox::currentIndexChanged, this, &MainWindow::setFlowScope);
    connect(collapse, &QCheckBox::toggled, m_flowView, &FlowView::setCollapseEmpty);
    connect(exportButton, &QToolButton::clicked, this, &MainWindow::exportFlowDialog);
    connect(flow, &QDockWidget::visibilityChanged, m_flow, &FlowModel::setActive);

    // -- linking
    connect(m_logView, &LogView::filterChanged, m_flow, &FlowModel::setFilter);
    connect(m_treeView, &ObjectTreeView::selectionChanged, m_flow, &FlowModel::setObjects);
    connect(m_flowView, &FlowView::recordActivated, this,
            [this](Serial serial) { m_hub->selectRecord(serial, m_flowView); });
    connect(m_hub, &SelectionHub::recordSelected, this, [this](Serial serial, QObject *origin) {
        if (origin != m_flowView)
            m_flowView->showRecord(serial);
    });
    connect(m_hub, &SelectionHub::objectSelected, m_flowView,
            [this](int node, QObject *, bool) { m_flowView->showObject(node); });
    connect(m_flowView, &FlowView::goToRecordRequested, this, [this](Serial serial) {
        m_logView->showRecord(serial);
        m_logView->table()->setFocus(Qt::ShortcutFocusReason);
    });
    connect(m_sourcesView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    m_hub->selectObject(m_store->source(current.row()).node, m_sourcesView);
            });

    // -- status
    m_listening = new QLabel(QStringLiteral("not listening"));
    m_counts = new QLabel;
    statusBar()->addPermanentWidget(m_listening);
    statusBar()->addPermanentWidget(m_counts);
    connect(m_ingestor, &Ingestor::committed, this, &MainWindow::updateCounts);
    connect(m_ingestor, &Ingestor::message, this, &MainWindow::showMessage);
    connect(m_ingestor, &Ingestor::listening, this, &MainWindow::setListening);

    buildActions();
    resize(1680, 1050);
    restoreSettings();
    updateCounts();
    m_ingestor->start();
}

MainWindow::~MainWindow()
{
    m_loader.reset(); // stops and joins the loader before the queue goes
}

void MainWindow::buildActions()
{
    auto action = [this](QMenu *menu, const QString &text, const QKeySequence &keys, auto slot) {
        QAction *a = menu->addAction(text);
        a->setShortcut(keys);
        a->setShortcutContext(Qt::WindowShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };

    QMenu *file = menuBar()->addMenu(QStringLiteral("&File"));
    QAction *open = action(file, QStringLiteral("&Open recordings…"), QKeySequence::Open,
                           [this] { openDialog(); });
    QAction *save = action(file, QStringLiteral("&Save recording…"), QKeySequence::Save,
                           [this] { saveDialog(); });
    action(file, QStringLiteral("&Export flow as PNG or SVG…"),
           QKeySequence(QStringLiteral("Ctrl+Shift+E")), [this] { exportFlowDialog(); });
    file->addSeparator();
    action(file, QStringLiteral("&Quit"), QKeySequence::Quit, [this] { close(); });

    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    QAction *pause = action(view, QStringLiteral("&Pause / resume the log"),
                            QKeySequence(QStringLiteral("Ctrl+P")),
                            [this] { m_logView->setPaused(!m_logView->isPaused()); });
    action(view, QStringLiteral("&Follow the newest record"),
           QKeySequence(QStringLiteral("Ctrl+T")),
           [this] { m_logView->setFollowTail(!m_logView->followsTail()); });
    action(view, QStringLiteral("Show only &highlighted records"),
           QKeySequence(QStringLiteral("Ctrl+H")), [this] {
               DisplayFilter f = m_logView->filter();
               f.showOnlyHighlighted = !f.showOnlyHighlighted;
               m_logView->setFilter(f);
           });
    action(view, QStringLiteral("&Clear the display filter"),
           QKeySequence(QStringLiteral("Ctrl+L")),
           [this] { m_logView->setFilter(DisplayFilter()); });
    action(view, QStringLiteral("Hide &destroyed objects"), QKeySequence(QStringLiteral("Ctrl+D")),
           [this] { m_treeView->setHideDestroyed(!m_tree->hidesDestroyed()); });
    view->addSeparator();
    action(view, QStringLiteral("Search the &log"), QKeySequence::Find,
           [this] { m_logView->focusSearch(); });
    action(view, QStringLiteral("Find an &object"), QKeySequence(QStringLiteral("Ctrl+Shift+F")),
           [this] { m_treeView->focusSearch(); });
    view->addSeparator();
    action(view, QStringLiteral("Go to the &objects"), QKeySequence(QStringLiteral("Ctrl+1")),
           [this] { m_treeView->tree()->setFocus(Qt::ShortcutFocusReason); });
    action(view, QStringLiteral("Go to the lo&g"), QKeySequence(QStringLiteral("Ctrl+2")),
           [this] { m_logView->table()->setFocus(Qt::ShortcutFocusReason); });
    action(view, QStringLiteral("Go to the f&low"), QKeySequence(QStringLiteral("Ctrl+3")),
           [this] { m_flowView->setFocus(Qt::ShortcutFocusReason); });
    action(view, QStringLiteral("Go to the de&tails"), QKeySequence(QStringLiteral("Ctrl+4")),
           [this] { m_detailsView->setFocus(Qt::ShortcutFocusReason); });
    action(view, QStringLiteral("Go to the p&rocesses"), QKeySequence(QStringLiteral("Ctrl+5")),
           [this] { m_sourcesView->setFocus(Qt::ShortcutFocusReason); });
    view->addSeparator();
    action(view, QStringLiteral("Flow: messages the log &shows"),
           QKeySequence(QStringLiteral("Ctrl+Shift+1")),
           [this] { m_flowScope->setCurrentIndex(0); });
    action(view, QStringLiteral("Flow: messages of the selected o&bjects"),
           QKeySequence(QStringLiteral("Ctrl+Shift+2")),
           [this] { m_flowScope->setCurrentIndex(1); });
    view->addSeparator();
    for (QDockWidget *d : findChildren<QDockWidget *>())
        view->addAction(d->toggleViewAction());

    QMenu *capture = menuBar()->addMenu(QStringLiteral("&Capture"));
    QAction *captureAction
        = action(capture, QStringLiteral("Set a program's &capture filter…"),
                 QKeySequence(QStringLiteral("Ctrl+K")), [this] { captureDialog(); });

    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    action(help, QStringLiteral("&Keyboard shortcuts"), QKeySequence::HelpContents,
           [this] { shortcutsDialog(); });

    QToolBar *bar = addToolBar(QStringLiteral("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addAction(open);
    bar->addAction(save);
    bar->addSeparator();
    bar->addAction(pause);
    pause->setText(QStringLiteral("Pause"));
    bar->addAction(captureAction);
    captureAction->setText(QStringLiteral("Capture filter…"));
}

void MainWindow::setFlowScope(int index)
{
    m_flow->setScope(index == 1 ? FlowModel::Scope::Objects : FlowModel::Scope::Displayed);
    if (index == 1)
        m_flow->setObjects(m_treeView->selectedNodes());
}

void MainWindow::restoreSettings()
{
    QSettings settings(QStringLiteral("Parley"), QStringLiteral("parley-monitor"));
    if (settings.contains(QStringLiteral("geometry")))
        restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    if (settings.contains(QStringLiteral("state")))
        restoreState(settings.value(QStringLiteral("state")).toByteArray());
    m_lastDir = settings.value(QStringLiteral("lastDir"), QDir::homePath()).toString();
    m_store->setCapacity(settings.value(QStringLiteral("capacity"), 1'000'000).toLongLong());
    m_treeView->setHideDestroyed(settings.value(QStringLiteral("hideDestroyed"), false).toBool());
    m_flowView->setCollapseEmpty(
        settings.value(QStringLiteral("collapseLifelines"), true).toBool());
    DisplayFilter f;
    f.minimumLevel
        = LogLevel(settings.value(QStringLiteral("minimumLevel"), int(LogLevel::Debug)).toInt());
    if (f.minimumLevel != LogLevel::Debug)
        m_logView->setFilter(f);
}

void MainWindow::saveSettings()
{
    QSettings settings(QStringLiteral("Parley"), QStringLiteral("parley-monitor"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("lastDir"), m_lastDir);
    settings.setValue(QStringLiteral("capacity"), qint64(m_store->capacity()));
    settings.setValue(QStringLiteral("hideDestroyed"), m_tree->hidesDestroyed());
    settings.setValue(QStringLiteral("collapseLifelines"), m_flowView->collapsesEmpty());
    settings.setValue(QStringLiteral("minimumLevel"), int(m_logView->filter().minimumLevel));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
    emit closed();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile())
            paths << url.toLocalFile();
    }
    if (!paths.isEmpty()) {
        openFiles(paths);
        event->acceptProposedAction();
    }
}

void MainWindow::openFiles(const QStringList &paths)
{
    if (paths.isEmpty())
        return;
    m_lastDir = QFileInfo(paths.first()).absolutePath();
    showMessage(QStringLiteral("reading %1").arg(paths.join(QStringLiteral(", "))),
                LogLevel::Console);
    m_loader->load(paths);
}

bool MainWindow::isBusy() const
{
    return m_loader->isRunning() || !m_queue->isEmpty() || m_store->pending() > 0;
}

void MainWindow::openDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, QStringLiteral("Open recordings (several files of one run merge by time)"), m_lastDir,
        QStringLiteral("Parley recordings (*.parley);;All files (*)"));
    openFiles(files);
}

QStringList MainWindow::saveTo(const QString &path, QString *error)
{
    return saveRecordings(*m_store, path, {}, error);
}

void MainWindow::saveDialog()
{
    int sources = 0;
    for (int i = 0; i < m_store->sourceCount(); ++i)
        sources += m_store->source(i).kind != SourceKind::Monitor;
    if (sources == 0) {
        showMessage(QStringLiteral("nothing to save yet"), LogLevel::Warning);
        return;
    }
    QString path;
    if (sources == 1) {
        path = QFileDialog::getSaveFileName(this, QStringLiteral("Save the recording"), m_lastDir,
                                            QStringLiteral("Parley recordings (*.parley)"));
    } else {
        path = QFileDialog::getExistingDirectory(
            this, QStringLiteral("Save one recording per process into a folder"), m_lastDir);
    }
    if (path.isEmpty())
        return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    QString error;
    const QStringList files = saveTo(path, &error);
    QApplication::restoreOverrideCursor();
    if (!error.isEmpty())
        QMessageBox::warning(this, QStringLiteral("Save recording"), error);
    else
        showMessage(QStringLiteral("saved %1").arg(files.join(QStringLiteral(", "))),
                    LogLevel::Console);
}

void MainWindow::exportFlowDialog()
{
    const QString path
        = QFileDialog::getSaveFileName(this, QStringLiteral("Export the message flow"), m_lastDir,
                                       QStringLiteral("PNG image (*.png);;SVG drawing (*.svg)"));
    if (path.isEmpty())
        return;
    const bool ok = path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)
        ? m_flowView->exportSvg(path)
        : m_flowView->exportPng(path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)
                                    ? path
                                    : path + QStringLiteral(".png"));
    showMessage(ok ? QStringLiteral("exported the flow to %1").arg(path)
                   : QStringLiteral("cannot write %1").arg(path),
                ok ? LogLevel::Console : LogLevel::Warning);
}

bool MainWindow::sendCaptureFilter(int source, const CaptureFilter &filter)
{
    if (source < 0 || source >= m_store->sourceCount())
        return false;
    const Source &s = m_store->source(source);
    if (s.kind != SourceKind::Live || !s.connected || s.control.isNull() || !m_captureSender) {
        showMessage(QStringLiteral("%1 is not connected: no capture filter sent").arg(s.label()),
                    LogLevel::Warning);
        return false;
    }
    if (!m_captureSender(s.control, filter))
        return false;
    m_store->setSourceCapture(source, filter);
    QStringList what;
    what << QStringLiteral("level %1 and above").arg(levelName(filter.level));
    what << (filter.bodies ? QStringLiteral("bodies on") : QStringLiteral("bodies off"));
    if (filter.subtree)
        what << QStringLiteral("only object %1 and below").arg(formatId(filter.subtree));
    if (!filter.types.isEmpty())
        what << QStringLiteral("only types %1").arg(filter.types.join(QStringLiteral(", ")));
    m_store->appendNote(QStringLiteral("capture filter sent to %1: %2")
                            .arg(s.label(), what.join(QStringLiteral(", "))),
                        LogLevel::Console);
    m_store->commit();
    return true;
}

void MainWindow::captureDialog()
{
    QDialog dialog(this);
    dialog.setWindowTitle(QStringLiteral("Capture filter"));
    auto *form = new QFormLayout;
    auto *source = new QComboBox;
    for (int i = 0; i < m_store->sourceCount(); ++i) {
        const Source &s = m_store->source(i);
        if (s.kind == SourceKind::Live && s.connected)
            source->addItem(s.label(), i);
    }
    if (source->count() == 0) {
        QMessageBox::information(this, QStringLiteral("Capture filter"),
                                 QStringLiteral("No program is streaming to the monitor now. A "
                                                "capture filter goes to a running program."));
        return;
    }
    if (source->count() > 1)
        source->addItem(QStringLiteral("all connected programs"), -1);
    auto *level = new QComboBox;
    for (LogLevel l : {LogLevel::Debug, LogLevel::Trace, LogLevel::Object, LogLevel::Console,
                       LogLevel::Warning, LogLevel::Fault})
        level->addItem(levelName(l), int(l));
    level->setCurrentIndex(2);
    auto *bodies = new QCheckBox(QStringLiteral("capture message bodies (as capped JSON)"));
    auto *types = new QLineEdit;
    types->setPlaceholderText(QStringLiteral("all types (or: demo.Hello, demo.Welcome)"));
    auto *subtree = new QCheckBox(QStringLiteral("only the object selected in the tree and below"));
    subtree->setEnabled(m_hub->object() >= 0 && !m_store->object(m_hub->object()).isProcess);
    form->addRow(QStringLiteral("Program"), source);
    form->addRow(QStringLiteral("Lowest level"), level);
    form->addRow(QString(), bodies);
    form->addRow(QStringLiteral("Message types"), types);
    form->addRow(QString(), subtree);
    auto *note = new QLabel(QStringLiteral("The capture filter changes what the program sends; "
                                           "the log's display filter only changes what you see."));
    note->setWordWrap(true);
    note->setStyleSheet(QStringLiteral("color: #616161"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(QStringLiteral("Send"));
    auto *layout = new QVBoxLayout(&dialog);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    CaptureFilter filter;
    filter.level = LogLevel(level->currentData().toInt());
    filter.bodies = bodies->isChecked();
    for (const QString &t : types->text().split(u',', Qt::SkipEmptyParts))
        filter.types << t.trimmed();
    if (subtree->isChecked())
        filter.subtree = m_store->object(m_hub->object()).id;
    const int chosen = source->currentData().toInt();
    for (int i = 0; i < source->count(); ++i) {
        const int s = source->itemData(i).toInt();
        if (s >= 0 && (chosen < 0 || chosen == s))
            sendCaptureFilter(s, filter);
    }
}

void MainWindow::shortcutsDialog()
{
    QMessageBox::information(
        this, QStringLiteral("Keyboard shortcuts"),
        QStringLiteral(
            "<table>"
            "<tr><td><b>Ctrl+O</b></td><td>open recordings</td></tr>"
            "<tr><td><b>Ctrl+S</b></td><td>save what was received</td></tr>"
            "<tr><td><b>Ctrl+P</b></td><td>pause / resume the log</td></tr>"
            "<tr><td><b>Ctrl+T</b></td><td>follow the newest record</td></tr>"
            "<tr><td><b>Ctrl+F</b></td><td>search the log</td></tr>"
            "<tr><td><b>Ctrl+H</b></td><td>show only highlighted records</td></tr>"
            "<tr><td><b>Ctrl+L</b></td><td>clear the display filter</td></tr>"
            "<tr><td><b>Ctrl+Shift+F</b></td><td>find an object</td></tr>"
            "<tr><td><b>Ctrl+D</b></td><td>hide destroyed objects</td></tr>"
            "<tr><td><b>Ctrl+1 … Ctrl+5</b></td><td>go to objects, log, flow, details, "
            "processes</td></tr>"
            "<tr><td><b>Ctrl+Shift+1 / 2</b></td><td>flow: what the log shows / the selected "
            "objects</td></tr>"
            "<tr><td><b>Ctrl+K</b></td><td>send a capture filter to a program</td></tr>"
            "<tr><td><b>Ctrl+Shift+E</b></td><td>export the flow (PNG, SVG)</td></tr>"
            "<tr><td colspan=2><br><b>In the flow</b></td></tr>"
            "<tr><td><b>Up, Down, PgUp, PgDn, Home, End</b></td><td>previous / next "
            "message</td></tr>"
            "<tr><td><b>Left, Right, drag</b></td><td>pan</td></tr>"
            "<tr><td><b>Ctrl+wheel, +, -, 0</b></td><td>zoom around the cursor, reset</td></tr>"
            "<tr><td><b>G</b></td><td>go to the message's record in the log</td></tr>"
            "<tr><td><b>C</b></td><td>collapse idle lifelines</td></tr>"
            "</table>"));
}

void MainWindow::setListening(const QString &endpoint)
{
    m_listening->setText(QStringLiteral("listening on %1").arg(endpoint));
    m_listening->setToolTip(QStringLiteral("start programs with --monitor=%1").arg(endpoint));
}

void MainWindow::showMessage(const QString &text, LogLevel level)
{
    statusBar()->showMessage(level >= LogLevel::Warning ? QStringLiteral("⚠ ") + text : text,
                             level >= LogLevel::Warning ? 15000 : 6000);
}

void MainWindow::updateCounts()
{
    int live = 0, sources = 0;
    for (int i = 0; i < m_store->sourceCount(); ++i) {
        const Source &s = m_store->source(i);
        if (s.kind == SourceKind::Monitor)
            continue;
        ++sources;
        live += s.kind == SourceKind::Live && s.connected;
    }
    m_counts->setText(QStringLiteral("%1 sources (%2 connected) · %3 records · %4 dropped")
                          .arg(sources)
                          .arg(live)
                          .arg(number(quint64(m_store->size())), number(m_store->evicted())));
}

MonitorSummary MainWindow::summary() const
{
    MonitorSummary s;
    for (int i = 0; i < m_store->sourceCount(); ++i) {
        const Source &source = m_store->source(i);
        if (source.kind == SourceKind::Monitor)
            continue;
        ++s.sources;
        s.liveSources += source.kind == SourceKind::Live;
        s.programs << source.label();
    }
    s.records = m_store->size();
    s.dropped = m_store->evicted();
    for (int n = 0; n < m_store->objectCount(); ++n) {
        const ObjectNode &o = m_store->object(n);
        if (o.isProcess)
            continue;
        ++s.objects;
        s.aliveObjects += o.alive;
    }
    m_flow->catchUp();
    s.arrows = m_flow->arrowCount();
    for (int row = 0; row < m_flow->arrowCount(); ++row)
        s.crossProcessArrows += m_flow->arrow(row).crossesProcesses(*m_flow);
    return s;
}

QStringList MainWindow::renderScreenshots(const QString &dir)
{
    QDir().mkpath(dir);
    QStringList files;
    m_flow->catchUp();
    // Choose the latest message that crossed processes: the flow, the log, the tree and the
    // details then all show something worth seeing.
    for (int row = m_flow->arrowCount() - 1; row >= 0; --row) {
        const FlowModel::Arrow &a = m_flow->arrow(row);
        if (a.crossesProcesses(*m_flow) && a.received != NoSerial) {
            m_flowView->setCurrentRow(row);
            break;
        }
    }
    QApplication::processEvents();
    auto save = [&](QWidget *widget, const QString &name) {
        const QString path = QDir(dir).filePath(name);
        if (widget->grab().save(path, "PNG"))
            files << path;
    };
    save(this, QStringLiteral("monitor.png"));
    save(m_logView, QStringLiteral("log.png"));
    save(m_treeView, QStringLiteral("objects.png"));
    save(m_flowView->parentWidget(), QStringLiteral("flow.png"));
    save(m_detailsView, QStringLiteral("details.png"));
    save(m_sourcesView, QStringLiteral("processes.png"));
    const QString svg = QDir(dir).filePath(QStringLiteral("flow.svg"));
    if (m_flowView->exportSvg(svg))
        files << svg;
    const QString png = QDir(dir).filePath(QStringLiteral("flow-export.png"));
    if (m_flowView->exportPng(png))
        files << png;
    return files;
}

} // namespace Parley::Monitor
