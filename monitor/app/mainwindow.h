// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <model/detailsmodel.h>
#include <model/flowmodel.h>
#include <model/ingest.h>
#include <model/logmodel.h>
#include <model/objecttreemodel.h>
#include <model/sourcesmodel.h>

#include <QtWidgets/QMainWindow>

#include <functional>
#include <memory>

class QComboBox;
class QLabel;
class QTableView;

namespace Parley::Monitor {

class DetailsView;
class FlowView;
class LogView;
class ObjectTreeView;
class SelectionHub;

/// Says what the monitor saw, for a caller that runs it without a screen (`--screenshot`).
struct MonitorSummary
{
    int sources = 0;            ///< programs and recordings (not the monitor itself)
    int liveSources = 0;        ///< programs that streamed
    qint64 records = 0;         ///< records held
    quint64 dropped = 0;        ///< records evicted over the limit
    int objects = 0;            ///< objects seen (not processes)
    int aliveObjects = 0;       ///< of which alive
    int arrows = 0;             ///< arrows in the flow
    int crossProcessArrows = 0; ///< of which between processes
    QStringList programs;       ///< "program (pid)" of each source
    QStringList files;          ///< screenshots and exports written
};

/// The monitor's window: the process list and the object tree on the left, the log in the
/// middle, the message flow and the details on the right, all linked by selection; menus and
/// shortcuts for every frequent action; layout and settings kept in QSettings.
///
/// It owns the store and the models. Records come through an IngestQueue (filled by the live
/// listener's sessions and by the recording loader) and are committed on a 50 ms timer.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// Sends a CaptureFilter to a live source's control address; false when it cannot.
    using CaptureSender = std::function<bool(const Address &to, const CaptureFilter &filter)>;

    explicit MainWindow(std::shared_ptr<IngestQueue> queue, QWidget *parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] EventStore *store() const { return m_store; }
    [[nodiscard]] Ingestor *ingestor() const { return m_ingestor; }
    [[nodiscard]] SelectionHub *hub() const { return m_hub; }
    [[nodiscard]] LogView *logView() const { return m_logView; }
    [[nodiscard]] ObjectTreeView *treeView() const { return m_treeView; }
    [[nodiscard]] FlowView *flowView() const { return m_flowView; }
    [[nodiscard]] DetailsView *detailsView() const { return m_detailsView; }
    [[nodiscard]] QTableView *sourcesView() const { return m_sourcesView; }
    [[nodiscard]] FlowModel *flowModel() const { return m_flow; }
    [[nodiscard]] LogFilterModel *logModel() const { return m_filtered; }

    void setCaptureSender(CaptureSender sender) { m_captureSender = std::move(sender); }
    /// Sends \a filter to live source \a source; records it and says so in the log.
    bool sendCaptureFilter(int source, const CaptureFilter &filter);

    /// Opens recordings (files or folders); several files of one run merge by time.
    void openFiles(const QStringList &paths);
    /// Returns true while recordings are being read or records wait to be committed.
    [[nodiscard]] bool isBusy() const;
    /// Saves what was received (see saveRecordings()); returns the files written.
    QStringList saveTo(const QString &path, QString *error);
    /// Shows where the listener accepts streams.
    void setListening(const QString &endpoint);
    /// Chooses an interesting record (the latest request that crossed processes) and renders
    /// the window and each view into \a dir as PNG files (and the flow as SVG); returns the
    /// paths.
    QStringList renderScreenshots(const QString &dir);
    [[nodiscard]] MonitorSummary summary() const;

signals:
    /// Emitted when the window was closed.
    void closed();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildActions();
    void restoreSettings();
    void saveSettings();
    void openDialog();
    void saveDialog();
    void exportFlowDialog();
    void captureDialog();
    void shortcutsDialog();
    void updateCounts();
    void showMessage(const QString &text, LogLevel level);
    void setFlowScope(int index);

    std::shared_ptr<IngestQueue> m_queue;
    EventStore *m_store;
    Ingestor *m_ingestor;
    std::unique_ptr<RecordingLoader> m_loader;
    SelectionHub *m_hub;
    LogModel *m_log;
    LogFilterModel *m_filtered;
    ObjectTreeModel *m_tree;
    FlowModel *m_flow;
    SourcesModel *m_sources;
    DetailsModel *m_details;
    LogView *m_logView;
    ObjectTreeView *m_treeView;
    FlowView *m_flowView;
    DetailsView *m_detailsView;
    QTableView *m_sourcesView;
    QComboBox *m_flowScope;
    QLabel *m_counts;
    QLabel *m_listening;
    CaptureSender m_captureSender;
    QString m_lastDir;
};

} // namespace Parley::Monitor
