// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "flowview.h"

#include <model/logmodel.h>

#include <QtCore/QSet>
#include <QtGui/QImage>
#include <QtGui/QKeyEvent>
#include <QtGui/QPainter>
#include <QtGui/QPainterPath>
#include <QtSvg/QSvgGenerator>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QToolTip>

#include <algorithm>
#include <cmath>

namespace Parley::Monitor {

namespace {

constexpr qreal CollapsedWidth = 14;
constexpr qreal BandGap = 10;

const QColor LocalColour(0x15, 0x65, 0xc0);
const QColor CrossColour(0x8e, 0x24, 0xaa);
const QColor DroppedColour(0xc6, 0x28, 0x28);
const QColor SelectedRow(0xd6, 0xe9, 0xff);

QColor bandColour(int index)
{
    static const QColor colours[] = {QColor(0xf3, 0xf6, 0xfb), QColor(0xf6, 0xf3, 0xfa),
                                     QColor(0xf1, 0xf8, 0xf3), QColor(0xfb, 0xf6, 0xef)};
    return colours[index % 4];
}

QColor bandHeaderColour(int index)
{
    static const QColor colours[] = {QColor(0xdc, 0xe6, 0xf5), QColor(0xe7, 0xdf, 0xf2),
                                     QColor(0xd9, 0xef, 0xdf), QColor(0xf5, 0xe6, 0xd2)};
    return colours[index % 4];
}

} // namespace

FlowView::FlowView(FlowModel *model, QWidget *parent) : QAbstractScrollArea(parent), m_model(model)
{
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setBackgroundRole(QPalette::Base);
    viewport()->setMouseTracking(false);
    verticalScrollBar()->setSingleStep(20);
    horizontalScrollBar()->setSingleStep(20);
    // Model changes arrive once per commit, often several at a time: lay out once, after them.
    auto changed = [this] { scheduleRelayout(); };
    connect(model, &FlowModel::lifelinesChanged, this, changed);
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        m_current = -1;
        m_nameWidth.clear();
        scheduleRelayout();
    });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        QScrollBar *bar = verticalScrollBar();
        if (m_follow && bar->value() >= bar->maximum() - 2)
            m_followPending = true;
        scheduleRelayout();
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this,
            [this](const QModelIndex &, int first, int last) {
                // Eviction removes the oldest rows: keep what is in view in view.
                const int removed = last - first + 1;
                if (m_current >= 0)
                    m_current = m_current > last ? m_current - removed : -1;
                QScrollBar *bar = verticalScrollBar();
                bar->setValue(bar->value() - int(removed * rowHeight()));
                scheduleRelayout();
            });
    connect(model, &QAbstractItemModel::dataChanged, this, changed);
    relayout();
}

qreal FlowView::rowHeight() const
{
    return std::max<qreal>(4.0, (fontMetrics().height() + 12) * m_zoom);
}

qreal FlowView::headerHeight() const
{
    return fontMetrics().height() * 2 + 22;
}

void FlowView::scheduleRelayout()
{
    if (m_relayoutPending)
        return;
    m_relayoutPending = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            relayout();
            if (m_followPending) {
                m_followPending = false;
                verticalScrollBar()->setValue(verticalScrollBar()->maximum());
            }
        },
        Qt::QueuedConnection);
}

void FlowView::relayout()
{
    m_relayoutPending = false;
    m_order.clear();
    const auto &lifelines = m_model->lifelines();
    for (int i = 0; i < int(lifelines.size()); ++i) {
        if (lifelines[size_t(i)].arrows > 0)
            m_order.push_back(i);
    }
    std::stable_sort(m_order.begin(), m_order.end(), [&lifelines](int a, int b) {
        return lifelines[size_t(a)].source < lifelines[size_t(b)].source;
    });
    updateScrollBars();
    viewport()->update();
}

FlowView::Layout FlowView::layout(int firstRow, int lastRow) const
{
    Layout l;
    const int rows = m_model->arrowCount();
    l.firstRow = std::max(0, firstRow);
    l.lastRow = std::min(rows - 1, lastRow);

    const size_t lifelines = m_model->lifelines().size();
    std::vector<char> active(m_collapse ? lifelines : 0, 0);
    if (m_collapse) {
        for (int r = l.firstRow; r <= l.lastRow; ++r) {
            const FlowModel::Arrow &a = m_model->arrow(r);
            if (a.from >= 0)
                active[size_t(a.from)] = 1;
            if (a.to >= 0)
                active[size_t(a.to)] = 1;
        }
    }
    l.laneOf.assign(lifelines, -1);
    const QFontMetricsF fm(font());
    qreal x = fm.horizontalAdvance(QStringLiteral("00:00:00.000")) + 16;
    int source = -1;
    for (int lifeline : m_order) {
        const FlowModel::Lifeline &line = m_model->lifelines()[size_t(lifeline)];
        if (line.source != source) {
            if (!l.bands.empty()) {
                l.bands.back().right = x;
                x += BandGap;
            }
            l.bands.push_back(ProcessBand{line.source, x, x});
            source = line.source;
        }
        Lane lane;
        lane.lifeline = lifeline;
        lane.collapsed = m_collapse && !active[size_t(lifeline)] && lifeline != m_markedLifeline;
        if (lane.collapsed) {
            lane.width = CollapsedWidth;
        } else {
            if (m_nameWidth.size() <= size_t(lifeline))
                m_nameWidth.resize(m_model->lifelines().size(), -1);
            qreal &text = m_nameWidth[size_t(lifeline)];
            if (text < 0)
                text = fm.horizontalAdvance(m_model->lifelineName(lifeline));
            lane.width = std::clamp(text + 24, 92.0, 200.0) * std::clamp(m_zoom, 0.6, 1.6);
        }
        lane.x = x + lane.width / 2;
        x += lane.width;
        l.laneOf[size_t(lifeline)] = int(l.lanes.size());
        l.lanes.push_back(lane);
    }
    if (!l.bands.empty())
        l.bands.back().right = x;
    l.width = x + 12;

    const qreal rowH = rowHeight();
    const qreal header = headerHeight();
    for (int r = l.firstRow; r <= l.lastRow; ++r) {
        const FlowModel::Arrow &a = m_model->arrow(r);
        if (a.from < 0 || a.to < 0 || l.laneOf[size_t(a.from)] < 0 || l.laneOf[size_t(a.to)] < 0)
            continue;
        ArrowShape s;
        s.row = r;
        s.y = header + r * rowH + rowH / 2;
        s.x1 = l.lanes[size_t(l.laneOf[size_t(a.from)])].x;
        s.x2 = l.lanes[size_t(l.laneOf[size_t(a.to)])].x;
        s.crossesProcesses = a.crossesProcesses(*m_model);
        s.dropped = a.dropped;
        s.self = a.from == a.to;
        l.arrows.push_back(s);
    }
    return l;
}

FlowView::Layout FlowView::visibleLayout() const
{
    const qreal rowH = rowHeight();
    const qreal top = verticalScrollBar()->value();
    const int first = int(top / rowH);
    const int last = int((top + viewport()->height() - headerHeight()) / rowH) + 1;
    return layout(first, last);
}

void FlowView::updateScrollBars()
{
    const qreal rowH = rowHeight();
    const qreal content = m_model->arrowCount() * rowH;
    const qreal visible = std::max<qreal>(0, viewport()->height() - headerHeight());
    verticalScrollBar()->setPageStep(int(visible));
    verticalScrollBar()->setRange(0, std::max(0, int(std::ceil(content - visible))));
    const Layout l = visibleLayout();
    horizontalScrollBar()->setPageStep(viewport()->width());
    horizontalScrollBar()->setRange(0, std::max(0, int(std::ceil(l.width - viewport()->width()))));
}

int FlowView::rowAt(int y) const
{
    if (y < headerHeight())
        return -1;
    const int row = int((y - headerHeight() + verticalScrollBar()->value()) / rowHeight());
    return row >= 0 && row < m_model->arrowCount() ? row : -1;
}

void FlowView::setCurrentRow(int row)
{
    if (row < 0 || row >= m_model->arrowCount())
        return;
    m_current = row;
    const qreal rowH = rowHeight();
    const qreal top = row * rowH;
    const qreal visible = viewport()->height() - headerHeight();
    QScrollBar *bar = verticalScrollBar();
    if (top < bar->value())
        bar->setValue(int(top));
    else if (top + rowH > bar->value() + visible)
        bar->setValue(int(top + rowH - visible));
    // Keep the arrow's lanes in view horizontally too.
    const Layout l = visibleLayout();
    for (const ArrowShape &s : l.arrows) {
        if (s.row != row)
            continue;
        QScrollBar *h = horizontalScrollBar();
        const qreal left = std::min(s.x1, s.x2) - 60, right = std::max(s.x1, s.x2) + 60;
        if (left < h->value())
            h->setValue(int(left));
        else if (right > h->value() + viewport()->width())
            h->setValue(int(std::min(left, right - viewport()->width())));
    }
    viewport()->update();
    emit recordActivated(m_model->arrow(row).serial());
}

void FlowView::showRecord(Serial serial)
{
    const int row = m_model->rowOf(serial);
    if (row < 0 || row == m_current)
        return;
    const QSignalBlocker blocker(this);
    setCurrentRow(row);
}

void FlowView::showObject(int node)
{
    const EventStore *store = m_model->store();
    int marked = -1;
    if (node >= 0) {
        const ObjectNode &n = store->object(node);
        const auto &lifelines = m_model->lifelines();
        for (int i = 0; i < int(lifelines.size()); ++i) {
            if (lifelines[size_t(i)].source == n.source && lifelines[size_t(i)].object == n.id)
                marked = i;
        }
    }
    if (marked != m_markedLifeline) {
        m_markedLifeline = marked;
        viewport()->update();
    }
}

void FlowView::setCollapseEmpty(bool collapse)
{
    m_collapse = collapse;
    relayout();
}

void FlowView::zoomAt(qreal zoom, QPointF anchor)
{
    zoom = std::clamp(zoom, 0.25, 4.0);
    if (qFuzzyCompare(zoom, m_zoom))
        return;
    const qreal header = headerHeight();
    const qreal rowF = (verticalScrollBar()->value() + anchor.y() - header) / rowHeight();
    const qreal widthBefore = std::max<qreal>(1, visibleLayout().width);
    const qreal fracX = (horizontalScrollBar()->value() + anchor.x()) / widthBefore;
    m_zoom = zoom;
    updateScrollBars();
    verticalScrollBar()->setValue(int(rowF * rowHeight() - (anchor.y() - header)));
    updateScrollBars();
    horizontalScrollBar()->setValue(int(fracX * visibleLayout().width - anchor.x()));
    viewport()->update();
}

void FlowView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

void FlowView::paintContent(QPainter &p, const Layout &l, qreal dx, qreal dy, qreal height,
                            bool) const
{
    const qreal rowH = rowHeight();
    const qreal header = headerHeight();
    const QFontMetricsF fm(font());
    const EventStore *store = m_model->store();
    const qreal width = std::max<qreal>(l.width, p.device()->width() - dx);
    // The time column stays put; lanes and arrows scroll under it and are clipped to its right.
    const QRectF lanesArea(fm.horizontalAdvance(QStringLiteral("00:00:00.000")) + 12, 0, 1e6, 1e6);

    p.save();
    p.setClipRect(lanesArea);
    p.translate(dx, 0);
    // Process bands, then lifelines.
    for (size_t i = 0; i < l.bands.size(); ++i)
        p.fillRect(
            QRectF(l.bands[i].left, header, l.bands[i].right - l.bands[i].left, height - header),
            bandColour(int(i)));
    // Only what is in view horizontally is drawn: a flow may have thousands of lifelines.
    const qreal viewLeft = -dx, viewRight = -dx + p.device()->width();
    auto inView = [&](const Lane &lane) {
        return lane.x + lane.width / 2 >= viewLeft && lane.x - lane.width / 2 <= viewRight;
    };
    for (const Lane &lane : l.lanes) {
        if (!inView(lane))
            continue;
        QPen pen(lane.lifeline == m_markedLifeline ? QColor(0xf9, 0xa8, 0x25)
                                                   : QColor(0xb0, 0xb0, 0xb0));
        pen.setWidthF(lane.lifeline == m_markedLifeline ? 3 : 1);
        pen.setStyle(lane.collapsed ? Qt::DotLine : Qt::DashLine);
        p.setPen(pen);
        p.drawLine(QPointF(lane.x, header), QPointF(lane.x, height));
    }
    p.restore();

    // Rows: the selection, the time, the arrow and its label.
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.9);
    const QFontMetricsF smallFm(small);
    for (int r = l.firstRow; r <= l.lastRow; ++r) {
        const qreal top = header + r * rowH + dy;
        if (r == m_current)
            p.fillRect(QRectF(0, top, std::max<qreal>(width + dx, p.device()->width()), rowH),
                       SelectedRow);
        if (rowH >= fm.height()) {
            p.setPen(QColor(0x75, 0x75, 0x75));
            p.setFont(small);
            p.drawText(QRectF(6, top, 200, rowH), Qt::AlignVCenter | Qt::AlignLeft,
                       RecordFormatter::time(m_model->arrow(r).wall));
        }
    }
    p.save();
    p.setClipRect(lanesArea);
    p.setFont(small);
    p.setRenderHint(QPainter::Antialiasing, true);
    for (const ArrowShape &s : l.arrows) {
        const FlowModel::Arrow &a = m_model->arrow(s.row);
        const qreal y = s.y + dy;
        const qreal x1 = s.x1 + dx, x2 = s.x2 + dx;
        const QColor colour = s.dropped ? DroppedColour
            : s.crossesProcesses        ? CrossColour
                                        : LocalColour;
        QPen pen(colour);
        pen.setWidthF(s.crossesProcesses ? 2.0 : 1.4);
        if (a.received == NoSerial && a.sent != NoSerial && !s.dropped)
            pen.setStyle(Qt::DashLine); // not (yet) known to have arrived
        p.setPen(pen);
        const qreal head = std::min<qreal>(7, rowH / 2);
        if (s.self) {
            const qreal w = 24, h = std::max<qreal>(4, rowH * 0.35);
            QPainterPath path(QPointF(x1, y - h));
            path.lineTo(x1 + w, y - h);
            path.lineTo(x1 + w, y + h);
            path.lineTo(x1 + 2, y + h);
            p.drawPath(path);
            p.setPen(Qt::NoPen);
            p.setBrush(colour);
            p.drawPolygon(
                QPolygonF({QPointF(x1 + 1, y + h), QPointF(x1 + 1 + head, y + h - head / 2),
                           QPointF(x1 + 1 + head, y + h + head / 2)}));
            p.setBrush(Qt::NoBrush);
        } else {
            const qreal dir = x2 > x1 ? 1 : -1;
            p.drawLine(QPointF(x1, y), QPointF(x2 - dir * head, y));
            p.setPen(Qt::NoPen);
            p.setBrush(colour);
            p.drawPolygon(QPolygonF({QPointF(x2, y), QPointF(x2 - dir * head, y - head / 2),
                                     QPointF(x2 - dir * head, y + head / 2)}));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(QPointF(x1, y), 2.2, 2.2);
        }
        if (s.dropped) {
            QPen x(DroppedColour);
            x.setWidthF(2);
            p.setPen(x);
            const qreal cx = s.self ? x1 + 24 : x2;
            p.drawLine(QPointF(cx - 4, y - 4), QPointF(cx + 4, y + 4));
            p.drawLine(QPointF(cx - 4, y + 4), QPointF(cx + 4, y - 4));
        }
        if (rowH >= smallFm.height() + 4) {
            QString label = store->string(a.type);
            const qreal span = s.self ? 160 : std::abs(x2 - x1) - 12;
            label = smallFm.elidedText(label, Qt::ElideMiddle, std::max<qreal>(span, 40));
            const qreal left = s.self
                ? x1 + 28
                : std::min(x1, x2) + (std::abs(x2 - x1) - smallFm.horizontalAdvance(label)) / 2;
            const QRectF box(left, y - smallFm.height() - 1, smallFm.horizontalAdvance(label) + 2,
                             smallFm.height());
            p.setPen(s.dropped ? DroppedColour : QColor(0x21, 0x21, 0x21));
            p.drawText(
                s.self ? QRectF(left, y - smallFm.height() / 2, box.width() + 4, smallFm.height())
                       : box,
                Qt::AlignCenter, label);
        }
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    p.restore();

    // The header stays at the top: process names over their bands, then one box per lifeline.
    p.fillRect(QRectF(0, 0, 1e6, header), palette().color(QPalette::Base));
    p.save();
    p.setClipRect(lanesArea);
    p.translate(dx, 0);
    QFont bold = small;
    bold.setBold(true);
    const qreal bandH = fm.height() + 6;
    for (size_t i = 0; i < l.bands.size(); ++i) {
        const ProcessBand &b = l.bands[i];
        if (b.right < viewLeft || b.left > viewRight)
            continue;
        const QRectF r(b.left, 2, b.right - b.left, bandH);
        p.fillRect(r, bandHeaderColour(int(i)));
        p.setPen(QColor(0x37, 0x37, 0x37));
        p.setFont(bold);
        const QString name = store->source(b.source).label();
        p.drawText(r.adjusted(4, 0, -4, 0), Qt::AlignCenter,
                   QFontMetricsF(bold).elidedText(name, Qt::ElideRight, r.width() - 8));
    }
    p.setFont(font());
    for (const Lane &lane : l.lanes) {
        if (!inView(lane))
            continue;
        const QRectF box(lane.x - lane.width / 2 + 4, bandH + 6, lane.width - 8, fm.height() + 8);
        const bool marked = lane.lifeline == m_markedLifeline;
        if (lane.collapsed) {
            p.setPen(QColor(0xb0, 0xb0, 0xb0));
            p.drawText(box.adjusted(-4, 0, 4, 0), Qt::AlignCenter, QStringLiteral("⋮"));
            continue;
        }
        p.setPen(marked ? QColor(0xf9, 0xa8, 0x25) : QColor(0x90, 0xa4, 0xae));
        p.setBrush(marked ? QColor(0xff, 0xf8, 0xe1) : QColor(0xff, 0xff, 0xff));
        p.setRenderHint(QPainter::Antialiasing, true);
        p.drawRoundedRect(box, 4, 4);
        p.setRenderHint(QPainter::Antialiasing, false);
        p.setBrush(Qt::NoBrush);
        p.setPen(QColor(0x21, 0x21, 0x21));
        p.drawText(
            box, Qt::AlignCenter,
            fm.elidedText(m_model->lifelineName(lane.lifeline), Qt::ElideRight, box.width() - 6));
    }
    p.setPen(QColor(0xd0, 0xd0, 0xd0));
    p.drawLine(QPointF(-dx, header - 1), QPointF(width + 4000, header - 1));
    p.restore();
    p.setPen(QColor(0x75, 0x75, 0x75));
    p.setFont(small);
    p.drawText(QRectF(6, bandH + 6, 200, fm.height() + 8), Qt::AlignVCenter | Qt::AlignLeft,
               QStringLiteral("time"));
}

void FlowView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    p.fillRect(viewport()->rect(), palette().color(QPalette::Base));
    if (m_model->arrowCount() == 0) {
        p.setPen(QColor(0x75, 0x75, 0x75));
        p.drawText(viewport()->rect(), Qt::AlignCenter,
                   m_model->scope() == FlowModel::Scope::Objects
                       ? QStringLiteral("No messages for the selected objects.\nSelect objects in "
                                        "the object tree.")
                       : QStringLiteral("No messages to show yet.\nMessages appear here as "
                                        "programs send them (and the display filter lets them "
                                        "through)."));
        return;
    }
    const Layout l = visibleLayout();
    paintContent(p, l, -horizontalScrollBar()->value(), -verticalScrollBar()->value(),
                 viewport()->height(), true);
}

QSize FlowView::renderSize(int firstRow, int lastRow) const
{
    const Layout l = layout(firstRow, lastRow);
    const int rows = std::max(0, l.lastRow - l.firstRow + 1);
    return QSize(int(std::ceil(l.width)), int(std::ceil(headerHeight() + rows * rowHeight() + 4)));
}

void FlowView::render(QPainter &painter, int firstRow, int lastRow) const
{
    const Layout l = layout(firstRow, lastRow);
    const QSize size = renderSize(firstRow, lastRow);
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    paintContent(painter, l, 0, -l.firstRow * rowHeight(), size.height(), false);
}

bool FlowView::exportPng(const QString &path, int maxRows) const
{
    const int rows = m_model->arrowCount();
    const int first = std::max(0, rows - maxRows);
    QImage image(renderSize(first, rows - 1), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    render(p, first, rows - 1);
    p.end();
    return image.save(path, "PNG");
}

bool FlowView::exportSvg(const QString &path, int maxRows) const
{
    const int rows = m_model->arrowCount();
    const int first = std::max(0, rows - maxRows);
    QSvgGenerator svg;
    svg.setFileName(path);
    const QSize size = renderSize(first, rows - 1);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(QStringLiteral("Parley message flow"));
    QPainter p;
    if (!p.begin(&svg))
        return false;
    render(p, first, rows - 1);
    return p.end();
}

void FlowView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const qreal steps = event->angleDelta().y() / 120.0;
        zoomAt(m_zoom * std::pow(1.2, steps), event->position());
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void FlowView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragging = false;
        m_dragStart = event->pos();
        m_scrollStart = QPoint(horizontalScrollBar()->value(), verticalScrollBar()->value());
        const int row = rowAt(event->pos().y());
        if (row >= 0)
            setCurrentRow(row);
        setFocus(Qt::MouseFocusReason);
    }
}

void FlowView::mouseMoveEvent(QMouseEvent *event)
{
    if (!(event->buttons() & Qt::LeftButton))
        return;
    const QPoint delta = event->pos() - m_dragStart;
    if (!m_dragging && delta.manhattanLength() < 5)
        return;
    m_dragging = true;
    viewport()->setCursor(Qt::ClosedHandCursor);
    horizontalScrollBar()->setValue(m_scrollStart.x() - delta.x());
    verticalScrollBar()->setValue(m_scrollStart.y() - delta.y());
}

void FlowView::mouseReleaseEvent(QMouseEvent *)
{
    m_dragging = false;
    viewport()->unsetCursor();
}

void FlowView::keyPressEvent(QKeyEvent *event)
{
    const int rows = m_model->arrowCount();
    const int page = std::max(1, int((viewport()->height() - headerHeight()) / rowHeight()) - 1);
    switch (event->key()) {
    case Qt::Key_Down:
        setCurrentRow(std::min(rows - 1, m_current + 1));
        return;
    case Qt::Key_Up:
        setCurrentRow(std::max(0, m_current < 0 ? rows - 1 : m_current - 1));
        return;
    case Qt::Key_PageDown:
        setCurrentRow(std::min(rows - 1, m_current + page));
        return;
    case Qt::Key_PageUp:
        setCurrentRow(std::max(0, m_current - page));
        return;
    case Qt::Key_Home:
        setCurrentRow(0);
        return;
    case Qt::Key_End:
        setCurrentRow(rows - 1);
        return;
    case Qt::Key_Left:
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - 60);
        return;
    case Qt::Key_Right:
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() + 60);
        return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomAt(m_zoom * 1.2, QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0));
        return;
    case Qt::Key_Minus:
        zoomAt(m_zoom / 1.2, QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0));
        return;
    case Qt::Key_0:
        zoomAt(1.0, QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0));
        return;
    case Qt::Key_C:
        setCollapseEmpty(!m_collapse);
        return;
    case Qt::Key_G:
        if (m_current >= 0)
            emit goToRecordRequested(m_model->arrow(m_current).serial());
        return;
    default:
        QAbstractScrollArea::keyPressEvent(event);
    }
}

QString FlowView::tooltipAt(QPoint pos) const
{
    const Layout l = visibleLayout();
    const qreal x = pos.x() + horizontalScrollBar()->value();
    if (pos.y() < headerHeight()) {
        for (const Lane &lane : l.lanes) {
            if (std::abs(lane.x - x) <= lane.width / 2)
                return QStringLiteral("%1 %2\n%3")
                    .arg(m_model->lifelineName(lane.lifeline),
                         formatId(m_model->lifelines()[size_t(lane.lifeline)].object),
                         m_model->lifelineProcess(lane.lifeline));
        }
        return {};
    }
    const int row = rowAt(pos.y());
    if (row < 0)
        return {};
    const FlowModel::Arrow &a = m_model->arrow(row);
    const EventStore *store = m_model->store();
    auto end = [this](int lifeline) {
        return lifeline < 0 ? QStringLiteral("?")
                            : QStringLiteral("%1 %2 (%3)")
                                  .arg(m_model->lifelineName(lifeline),
                                       formatId(m_model->lifelines()[size_t(lifeline)].object),
                                       m_model->lifelineProcess(lifeline));
    };
    QString text
        = QStringLiteral("%1\nfrom %2\nto %3\nat %4")
              .arg(store->string(a.type), end(a.from), end(a.to), RecordFormatter::time(a.wall));
    if (a.received == NoSerial && !a.dropped)
        text += QStringLiteral("\n(its arrival is not recorded)");
    if (a.dropped)
        text += QStringLiteral("\ndropped");
    return text;
}

bool FlowView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = tooltipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

} // namespace Parley::Monitor
