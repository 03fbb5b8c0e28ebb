// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <model/logmodel.h>

#include <QtWidgets/QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QTableView;
class QToolButton;

namespace Parley::Monitor {

class SelectionHub;

/// Shows the log: every record with the text log's markers and colours, filtered by a display
/// filter (minimum level, a quick search, an exclude set and a highlight set with "show only
/// highlighted"), with pause ("N new") and follow-tail.
///
/// Rules are added from a record's context menu ("Exclude messages of this type", "Highlight
/// this object and what it created", ...) and listed in the Exclude and Highlight menus.
class LogView : public QWidget
{
    Q_OBJECT

public:
    LogView(LogFilterModel *model, SelectionHub *hub, QWidget *parent = nullptr);

    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] LogFilterModel *model() const { return m_model; }

    /// Replaces the display filter (the level, the search and the rule sets).
    void setFilter(const DisplayFilter &filter);
    [[nodiscard]] const DisplayFilter &filter() const { return m_model->filter(); }
    void addExclude(const FilterRule &rule);
    void addHighlight(const FilterRule &rule);

    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_model->isPaused(); }
    void setFollowTail(bool follow);
    [[nodiscard]] bool followsTail() const { return m_follow; }
    /// Returns what the status line says ("1,204 of 5,000 records · 3 new · 0 dropped").
    [[nodiscard]] QString statusText() const;
    /// Returns the pause button's text ("Pause", or "Paused: 12 new").
    [[nodiscard]] QString pauseText() const;
    /// Selects record \a serial (or the nearest shown before it) without announcing it.
    void showRecord(Serial serial);
    /// Focuses the search field.
    void focusSearch();

signals:
    /// Emitted when the display filter changed (the flow follows it).
    void filterChanged(const Parley::Monitor::DisplayFilter &filter);

private:
    void applyQuickFilter();
    void updateStatus();
    void updateRuleMenus();
    void contextMenu(const QPoint &pos);
    void currentChanged();

    LogFilterModel *m_model;
    SelectionHub *m_hub;
    QTableView *m_table;
    QComboBox *m_level;
    QLineEdit *m_search;
    QCheckBox *m_regex;
    QToolButton *m_pause;
    QToolButton *m_followButton;
    QToolButton *m_onlyHighlighted;
    QToolButton *m_excludeButton;
    QToolButton *m_highlightButton;
    QMenu *m_excludeMenu;
    QMenu *m_highlightMenu;
    QLabel *m_status;
    bool m_follow = true;
    bool m_selecting = false;
};

} // namespace Parley::Monitor
