// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#include "logview.h"

#include "selectionhub.h"

#include <QtCore/QLocale>
#include <QtCore/QTimer>
#include <QtGui/QClipboard>
#include <QtGui/QGuiApplication>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QMenu>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QTableView>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QVBoxLayout>

namespace Parley::Monitor {

namespace {

const LogLevel Levels[] = {LogLevel::Debug,   LogLevel::Trace,   LogLevel::Object,
                           LogLevel::Console, LogLevel::Warning, LogLevel::Fault};

QString number(quint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

} // namespace

LogView::LogView(LogFilterModel *model, SelectionHub *hub, QWidget *parent)
    : QWidget(parent), m_model(model), m_hub(hub)
{
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 2);
    bar->setSpacing(6);
    m_level = new QComboBox;
    for (LogLevel level : Levels)
        m_level->addItem(QStringLiteral("%1 and above").arg(levelName(level)));
    m_level->setToolTip(QStringLiteral("Hide records below this level (a display filter: the "
                                       "programs still send them)"));
    m_search = new QLineEdit;
    m_search->setPlaceholderText(QStringLiteral("Show only records containing… (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(QStringLiteral("Searches object names, classes, states, message types, "
                                        "texts and bodies"));
    m_regex = new QCheckBox(QStringLiteral("Regex"));
    m_excludeButton = new QToolButton;
    m_excludeButton->setPopupMode(QToolButton::InstantPopup);
    m_excludeMenu = new QMenu(m_excludeButton);
    m_excludeButton->setMenu(m_excludeMenu);
    m_excludeButton->setToolTip(QStringLiteral("Records matching ANY of these rules are hidden. "
                                               "Add rules from a record's context menu."));
    m_highlightButton = new QToolButton;
    m_highlightButton->setPopupMode(QToolButton::InstantPopup);
    m_highlightMenu = new QMenu(m_highlightButton);
    m_highlightButton->setMenu(m_highlightMenu);
    m_highlightButton->setToolTip(QStringLiteral("Records matching ANY of these rules are "
                                                 "highlighted. Add rules from a record's context "
                                                 "menu."));
    m_onlyHighlighted = new QToolButton;
    m_onlyHighlighted->setText(QStringLiteral("Only highlighted"));
    m_onlyHighlighted->setCheckable(true);
    m_onlyHighlighted->setToolTip(QStringLiteral("Show only the highlighted records (Ctrl+H)"));
    m_pause = new QToolButton;
    m_pause->setCheckable(true);
    m_pause->setToolTip(QStringLiteral("Stop the view while records keep being recorded (Ctrl+P)"));
    m_followButton = new QToolButton;
    m_followButton->setText(QStringLiteral("Follow"));
    m_followButton->setCheckable(true);
    m_followButton->setChecked(true);
    m_followButton->setToolTip(QStringLiteral("Keep the newest record in view (Ctrl+T)"));

    bar->addWidget(m_level);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_regex);
    bar->addWidget(m_excludeButton);
    bar->addWidget(m_highlightButton);
    bar->addWidget(m_onlyHighlighted);
    bar->addSpacing(8);
    bar->addWidget(m_pause);
    bar->addWidget(m_followButton);

    m_table = new QTableView;
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    QHeaderView *vertical = m_table->verticalHeader();
    vertical->setVisible(false);
    vertical->setSectionResizeMode(QHeaderView::Fixed);
    vertical->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->resizeSection(LogModel::TimeColumn,
                          fontMetrics().horizontalAdvance(QStringLiteral("00:00:00.000")) + 20);
    header->resizeSection(LogModel::ProcessColumn,
                          fontMetrics().horizontalAdvance(QStringLiteral("hello-server")) + 16);
    header->resizeSection(LogModel::ObjectColumn,
                          fontMetrics().horizontalAdvance(QStringLiteral("<0000001a>GetResponse"))
                              + 16);
    header->resizeSection(LogModel::MarkerColumn, fontMetrics().horizontalAdvance(u'W') + 14);

    m_status = new QLabel;
    m_status->setContentsMargins(6, 2, 6, 2);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);

    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(debounce, &QTimer::timeout, this, &LogView::applyQuickFilter);
    connect(m_search, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &LogView::applyQuickFilter);
    connect(m_regex, &QCheckBox::toggled, this, &LogView::applyQuickFilter);
    connect(m_level, &QComboBox::currentIndexChanged, this, &LogView::applyQuickFilter);
    connect(m_onlyHighlighted, &QToolButton::toggled, this, &LogView::applyQuickFilter);
    connect(m_pause, &QToolButton::toggled, this, &LogView::setPaused);
    connect(m_followButton, &QToolButton::toggled, this, &LogView::setFollowTail);
    connect(m_table, &QWidget::customContextMenuRequested, this, &LogView::contextMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LogView::currentChanged);
    connect(model, &LogFilterModel::pauseChanged, this, [this] {
        m_pause->setText(pauseText());
        {
            const QSignalBlocker block(m_pause);
            m_pause->setChecked(m_model->isPaused());
        }
        updateStatus();
    });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_follow && !m_model->isPaused())
            m_table->scrollToBottom();
        updateStatus();
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this, &LogView::updateStatus);
    connect(model, &QAbstractItemModel::modelReset, this, &LogView::updateStatus);
    connect(hub, &SelectionHub::recordSelected, this, [this](Serial serial, QObject *origin) {
        if (origin != this)
            showRecord(serial);
    });
    connect(hub, &SelectionHub::objectSelected, this,
            [this](int node, QObject *origin, bool withRecord) {
                if (origin == this || withRecord)
                    return;
                // An object chosen elsewhere: show its latest record that passes the filter.
                const auto records = m_hub->store()->objectRecords(node);
                for (auto it = records.rbegin(); it != records.rend(); ++it) {
                    const int row = m_model->rowOf(*it);
                    if (row >= 0) {
                        showRecord(*it);
                        return;
                    }
                }
            });
    m_pause->setText(pauseText());
    updateRuleMenus();
    updateStatus();
}

QString LogView::pauseText() const
{
    if (!m_model->isPaused())
        return QStringLiteral("Pause");
    return QStringLiteral("Paused: %1 new").arg(number(quint64(m_model->newWhilePaused())));
}

QString LogView::statusText() const
{
    const EventStore *store = m_hub->store();
    QString text = QStringLiteral("Showing %1 of %2 records")
                       .arg(number(quint64(m_model->rowCount())), number(quint64(store->size())));
    if (m_model->isPaused())
        text += QStringLiteral(" · paused, %1 new").arg(number(quint64(m_model->newWhilePaused())));
    text += QStringLiteral(" · %1 dropped (oldest, over the limit of %2)")
                .arg(number(store->evicted()), number(quint64(store->capacity())));
    const DisplayFilter &f = m_model->filter();
    if (!f.error().isEmpty())
        text += QStringLiteral(" · ") + f.error();
    return text;
}

void LogView::updateStatus()
{
    m_status->setText(statusText());
}

void LogView::setFilter(const DisplayFilter &filter)
{
    {
        const QSignalBlocker b1(m_level), b2(m_search), b3(m_regex), b4(m_onlyHighlighted);
        for (int i = 0; i < int(std::size(Levels)); ++i) {
            if (Levels[i] == filter.minimumLevel)
                m_level->setCurrentIndex(i);
        }
        m_search->setText(filter.search);
        m_regex->setChecked(filter.searchIsRegex);
        m_onlyHighlighted->setChecked(filter.showOnlyHighlighted);
    }
    const Serial current = m_hub->record();
    m_model->setFilter(filter);
    updateRuleMenus();
    updateStatus();
    if (current != NoSerial)
        showRecord(current);
    emit filterChanged(m_model->filter());
}

void LogView::applyQuickFilter()
{
    DisplayFilter f = m_model->filter();
    f.minimumLevel = Levels[std::max(0, m_level->currentIndex())];
    f.search = m_search->text();
    f.searchIsRegex = m_regex->isChecked();
    f.showOnlyHighlighted = m_onlyHighlighted->isChecked();
    const DisplayFilter &old = m_model->filter();
    if (f.minimumLevel == old.minimumLevel && f.search == old.search
        && f.searchIsRegex == old.searchIsRegex && f.showOnlyHighlighted == old.showOnlyHighlighted)
        return;
    setFilter(f);
}

void LogView::addExclude(const FilterRule &rule)
{
    DisplayFilter f = m_model->filter();
    f.exclude.push_back(rule);
    setFilter(f);
}

void LogView::addHighlight(const FilterRule &rule)
{
    DisplayFilter f = m_model->filter();
    f.highlight.push_back(rule);
    setFilter(f);
}

void LogView::updateRuleMenus()
{
    const DisplayFilter &f = m_model->filter();
    auto fill = [this](QMenu *menu, const std::vector<FilterRule> &rules, bool exclude) {
        menu->clear();
        if (rules.empty()) {
            QAction *none
                = menu->addAction(QStringLiteral("No rules: right-click a record to add one"));
            none->setEnabled(false);
            return;
        }
        for (size_t i = 0; i < rules.size(); ++i) {
            QAction *a = menu->addAction(rules[i].describe(*m_hub->store()));
            a->setCheckable(true);
            a->setChecked(rules[i].enabled);
            a->setToolTip(QStringLiteral("Untick to switch the rule off"));
            connect(a, &QAction::toggled, this, [this, i, exclude](bool on) {
                DisplayFilter f = m_model->filter();
                (exclude ? f.exclude : f.highlight)[i].enabled = on;
                setFilter(f);
            });
        }
        menu->addSeparator();
        connect(menu->addAction(QStringLiteral("Remove all")), &QAction::triggered, this,
                [this, exclude] {
                    DisplayFilter f = m_model->filter();
                    (exclude ? f.exclude : f.highlight).clear();
                    setFilter(f);
                });
    };
    fill(m_excludeMenu, f.exclude, true);
    fill(m_highlightMenu, f.highlight, false);
    auto count = [](const std::vector<FilterRule> &rules) {
        return std::count_if(rules.begin(), rules.end(),
                             [](const FilterRule &r) { return r.enabled; });
    };
    m_excludeButton->setText(QStringLiteral("Exclude (%1)").arg(count(f.exclude)));
    m_highlightButton->setText(QStringLiteral("Highlight (%1)").arg(count(f.highlight)));
}

void LogView::contextMenu(const QPoint &pos)
{
    const QModelIndex index = m_table->indexAt(pos);
    if (!index.isValid())
        return;
    const Serial serial = m_model->serialAt(index.row());
    EventStore *store = m_hub->store();
    const Record r = store->record(serial);
    const RecordFormatter format(*store);

    auto rules = [&] {
        std::vector<std::pair<QString, FilterRule>> out;
        FilterRule rule;
        if (r.type) {
            rule.field = FilterRule::Field::Type;
            rule.text = store->string(r.type);
            out.push_back({QStringLiteral("Messages of type %1").arg(rule.text), rule});
        }
        if (r.object > 1) {
            rule = FilterRule();
            rule.field = FilterRule::Field::Object;
            rule.source = r.source;
            rule.object = r.object;
            out.push_back({QStringLiteral("Object %1").arg(format.object(r)), rule});
            rule.field = FilterRule::Field::Subtree;
            out.push_back(
                {QStringLiteral("Object %1 and what it created").arg(format.object(r)), rule});
        }
        rule = FilterRule();
        rule.field = FilterRule::Field::Process;
        rule.source = r.source;
        out.push_back({QStringLiteral("Process %1").arg(store->source(r.source).label()), rule});
        rule = FilterRule();
        rule.field = FilterRule::Field::Kind;
        rule.kind = r.kind;
        out.push_back({QStringLiteral("%1 events").arg(kindName(r.kind)), rule});
        rule = FilterRule();
        rule.field = FilterRule::Field::Level;
        rule.level = r.level;
        out.push_back({QStringLiteral("Level %1").arg(levelName(r.level)), rule});
        return out;
    }();

    QMenu menu(this);
    QMenu *exclude = menu.addMenu(QStringLiteral("Exclude"));
    QMenu *highlight = menu.addMenu(QStringLiteral("Highlight"));
    for (const auto &[label, rule] : rules) {
        connect(exclude->addAction(label), &QAction::triggered, this,
                [this, rule = rule] { addExclude(rule); });
        connect(highlight->addAction(label), &QAction::triggered, this,
                [this, rule = rule] { addHighlight(rule); });
    }
    menu.addSeparator();
    connect(menu.addAction(QStringLiteral("Copy line")), &QAction::triggered, this, [&] {
        QStringList cells;
        for (int c = 0; c < LogModel::ColumnCount; ++c)
            cells << m_model->index(index.row(), c).data().toString();
        QGuiApplication::clipboard()->setText(cells.join(u' '));
    });
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

void LogView::currentChanged()
{
    if (m_selecting)
        return;
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    // Choosing an older record stops following the tail, so the choice stays in view.
    if (m_follow && current.row() < m_model->rowCount() - 1)
        setFollowTail(false);
    m_hub->selectRecord(m_model->serialAt(current.row()), this);
}

void LogView::showRecord(Serial serial)
{
    int row = m_model->rowOf(serial);
    if (row < 0)
        row = m_model->rowAtOrBefore(serial);
    if (row < 0)
        return;
    m_selecting = true;
    const QModelIndex index = m_model->index(row, LogModel::EventColumn);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_selecting = false;
}

void LogView::setPaused(bool paused)
{
    m_model->setPaused(paused);
    if (!paused && m_follow)
        m_table->scrollToBottom();
}

void LogView::setFollowTail(bool follow)
{
    m_follow = follow;
    {
        const QSignalBlocker block(m_followButton);
        m_followButton->setChecked(follow);
    }
    if (follow)
        m_table->scrollToBottom();
}

void LogView::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

} // namespace Parley::Monitor
