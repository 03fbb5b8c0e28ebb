// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <model/flowmodel.h>

#include <QtCore/QHash>
#include <QtWidgets/QAbstractScrollArea>

#include <vector>

class QPainter;

namespace Parley::Monitor {

/// Draws the message flow as a sequence diagram: a lifeline per object (grouped under their
/// process), one horizontal arrow per message in the order messages were seen, labelled with
/// the message's type; arrows between processes are drawn in their own colour.
///
/// Only the rows in view are laid out and painted, so a flow of a million arrows scrolls like a
/// short one. Ctrl+wheel zooms around the cursor, dragging pans, and the keyboard moves the
/// selection (Up/Down, PageUp/PageDown, Home/End), pans (Left/Right), zooms (+, -, 0) and goes
/// to the selected record in the log (G). Lifelines with no arrow in view can be collapsed to a
/// narrow strip (C). exportPng() and exportSvg() draw the whole flow (up to a limit).
class FlowView : public QAbstractScrollArea
{
    Q_OBJECT

public:
    /// Places one lifeline.
    struct Lane
    {
        int lifeline = -1;
        qreal x = 0;     ///< the lifeline's centre, in content coordinates
        qreal width = 0; ///< the space it takes
        bool collapsed = false;
    };
    /// Places one arrow.
    struct ArrowShape
    {
        int row = -1;
        qreal y = 0;  ///< content coordinates
        qreal x1 = 0; ///< the sender's lifeline
        qreal x2 = 0; ///< the receiver's lifeline
        bool crossesProcesses = false;
        bool dropped = false;
        bool self = false;
    };
    /// Places a band of lanes that belong to one process.
    struct ProcessBand
    {
        int source = -1;
        qreal left = 0;
        qreal right = 0;
    };
    /// Says where everything goes for rows [firstRow, lastRow].
    struct Layout
    {
        std::vector<Lane> lanes;
        std::vector<int> laneOf; ///< lifeline -> index in lanes, -1 when it has none
        std::vector<ProcessBand> bands;
        std::vector<ArrowShape> arrows;
        int firstRow = 0;
        int lastRow = -1;
        qreal width = 0;
    };

    explicit FlowView(FlowModel *model, QWidget *parent = nullptr);

    [[nodiscard]] FlowModel *model() const { return m_model; }
    /// Lays out rows [firstRow, lastRow] (content coordinates; y of row r is headerHeight() +
    /// r * rowHeight()).
    [[nodiscard]] Layout layout(int firstRow, int lastRow) const;
    /// Lays out the rows in view.
    [[nodiscard]] Layout visibleLayout() const;

    [[nodiscard]] int currentRow() const { return m_current; }
    /// Selects \a row, scrolls it into view and announces its record.
    void setCurrentRow(int row);
    /// Selects the arrow of record \a serial (if it has one) without announcing it.
    void showRecord(Serial serial);
    /// Marks the lifeline of object \a node.
    void showObject(int node);

    void setCollapseEmpty(bool collapse);
    [[nodiscard]] bool collapsesEmpty() const { return m_collapse; }
    void setFollow(bool follow) { m_follow = follow; }
    [[nodiscard]] qreal zoom() const { return m_zoom; }
    /// Zooms to \a zoom (0.25 .. 4) keeping the content under \a anchor (viewport coordinates)
    /// in place.
    void zoomAt(qreal zoom, QPointF anchor);

    [[nodiscard]] qreal rowHeight() const;
    [[nodiscard]] qreal headerHeight() const;
    /// Returns the row at viewport point \a y, or -1.
    [[nodiscard]] int rowAt(int y) const;

    /// Draws rows [firstRow, lastRow] on \a painter at the origin, header included.
    void render(QPainter &painter, int firstRow, int lastRow) const;
    /// Returns the size render() needs.
    [[nodiscard]] QSize renderSize(int firstRow, int lastRow) const;
    /// Writes the flow (at most \a maxRows rows, the newest) as a PNG or an SVG file.
    bool exportPng(const QString &path, int maxRows = 2000) const;
    bool exportSvg(const QString &path, int maxRows = 2000) const;

signals:
    /// Emitted when the user selects an arrow: its record.
    void recordActivated(Parley::Monitor::Serial serial);
    /// Emitted for G: go to the selected record in the log.
    void goToRecordRequested(Parley::Monitor::Serial serial);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    void relayout();
    void updateScrollBars();
    void paintContent(QPainter &painter, const Layout &layout, qreal dx, qreal dy, qreal height,
                      bool stickyHeader) const;
    QString tooltipAt(QPoint pos) const;

    void scheduleRelayout();

    FlowModel *m_model;
    std::vector<int> m_order;               ///< lifelines with arrows, grouped by process
    mutable std::vector<qreal> m_nameWidth; ///< per lifeline: its name's width, -1 = not measured
    bool m_relayoutPending = false;
    bool m_followPending = false;
    int m_current = -1;
    int m_markedLifeline = -1;
    qreal m_zoom = 1.0;
    bool m_collapse = true;
    bool m_follow = true;
    bool m_dragging = false;
    QPoint m_dragStart;
    QPoint m_scrollStart;
};

} // namespace Parley::Monitor
