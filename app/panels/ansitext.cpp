#include "ansitext.h"

#include <QFont>

namespace Kyozo::App {

namespace {
    constexpr char16_t kEsc = 0x1b;
    constexpr char16_t kBel = 0x07;

    bool isKeptControl(char16_t c)
    {
        return c == u'\n' || c == u'\r' || c == u'\t';
    }
} // namespace

QColor AnsiText::paletteColor(int index)
{
    // xterm's defaults (its 256colres.h and XTerm-col.ad).
    static constexpr int kStandard[16][3] = {
        { 0, 0, 0 },       { 205, 0, 0 },   { 0, 205, 0 },   { 205, 205, 0 },
        { 0, 0, 238 },     { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
        { 127, 127, 127 }, { 255, 0, 0 },   { 0, 255, 0 },   { 255, 255, 0 },
        { 92, 92, 255 },   { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
    };
    if (index < 0 || index > 255)
        return {};
    if (index < 16)
        return QColor(kStandard[index][0], kStandard[index][1], kStandard[index][2]);
    if (index < 232) {
        static constexpr int kLevels[6] = { 0, 95, 135, 175, 215, 255 };
        const int cube = index - 16;
        return QColor(kLevels[cube / 36], kLevels[(cube / 6) % 6], kLevels[cube % 6]);
    }
    const int grey = 8 + 10 * (index - 232);
    return QColor(grey, grey, grey);
}

void AnsiText::reset()
{
    *this = AnsiText();
}

QTextCharFormat AnsiText::currentFormat() const
{
    QTextCharFormat format;
    if (m_bold)
        format.setFontWeight(QFont::Bold);
    if (m_italic)
        format.setFontItalic(true);
    if (m_underline)
        format.setFontUnderline(true);
    QColor foreground = m_foreground;
    QColor background = m_background;
    if (m_inverse) {
        // Without colours of its own, inverse text is the view's colours swapped; the
        // view's own are unknown here, so the terminal defaults stand in (white on black).
        foreground = m_background.isValid() ? m_background : QColor(Qt::white);
        background = m_foreground.isValid() ? m_foreground : QColor(Qt::black);
    }
    if (m_faint && !foreground.isValid())
        format.setProperty(QTextFormat::FontWeight, int(QFont::Light));
    else if (m_faint)
        foreground.setAlphaF(0.6f);
    if (foreground.isValid())
        format.setForeground(foreground);
    if (background.isValid())
        format.setBackground(background);
    return format;
}

void AnsiText::append(QList<Run> &runs, QStringView text) const
{
    if (text.isEmpty())
        return;
    const QTextCharFormat format = currentFormat();
    if (!runs.isEmpty() && runs.last().format == format)
        runs.last().text += text;
    else
        runs.append(Run { text.toString(), format });
}

QList<AnsiText::Run> AnsiText::feed(QStringView chunk)
{
    QList<Run> runs;
    qsizetype textStart = 0; // of the plain text not yet appended
    const auto flushText
        = [&](qsizetype end) { append(runs, chunk.mid(textStart, end - textStart)); };
    for (qsizetype i = 0; i < chunk.size(); ++i) {
        const char16_t c = chunk[i].unicode();
        switch (m_escape) {
        case Escape::None:
            if (c == kEsc) {
                flushText(i);
                m_escape = Escape::Esc;
            } else if (c < 0x20 && !isKeptControl(c)) {
                flushText(i); // a bell, a backspace: nothing to show
                textStart = i + 1;
                continue;
            } else {
                continue;
            }
            break;
        case Escape::Esc:
            if (c == u'[') {
                m_escape = Escape::Csi;
                m_sequence.clear();
                m_skipped = 0;
            } else if (c == u']') {
                m_escape = Escape::Osc;
                m_skipped = 0;
            } else if (c >= 0x20 && c <= 0x2f) {
                // An intermediate byte (ESC ( B): the final byte follows.
            } else {
                m_escape = Escape::None;
            }
            break;
        case Escape::Csi:
            if (c >= 0x40 && c <= 0x7e) { // the final byte
                if (c == u'm' && m_skipped == 0)
                    applySgr(m_sequence);
                m_sequence.clear();
                m_escape = Escape::None;
            } else if (c >= 0x20 && c <= 0x3f) {
                if (m_sequence.size() < kMaxSequence)
                    m_sequence.append(QChar(c));
                else
                    ++m_skipped; // dropped whole at its end
            } else {
                // Not part of a sequence (ECMA-48 §5.4): the sequence is abandoned and the
                // character read again as text.
                m_sequence.clear();
                m_escape = Escape::None;
                textStart = i;
                --i;
                continue;
            }
            break;
        case Escape::Osc:
            if (c == kBel)
                m_escape = Escape::None;
            else if (c == kEsc)
                m_escape = Escape::OscEsc;
            else if (++m_skipped > kMaxSequence)
                m_escape = Escape::None; // never ended: give the text back to the reader
            break;
        case Escape::OscEsc:
            m_escape = c == u'\\' ? Escape::None : Escape::Osc;
            break;
        }
        textStart = i + 1;
    }
    if (m_escape == Escape::None)
        flushText(chunk.size());
    return runs;
}

void AnsiText::applySgr(QStringView parameters)
{
    QList<int> codes;
    // ';' separates parameters; ':' the sub-parameters of 38/48 (ITU T.416), read alike.
    qsizetype start = 0;
    for (qsizetype i = 0; i <= parameters.size(); ++i) {
        if (i < parameters.size() && parameters[i] != u';' && parameters[i] != u':')
            continue;
        bool ok = false;
        const int code = parameters.mid(start, i - start).toInt(&ok);
        codes.append(ok ? code : 0); // an empty parameter is 0
        start = i + 1;
    }
    const auto extendedColor = [&](qsizetype &i) -> QColor {
        // 38;5;N or 38;2;R;G;B (also 38:2::R:G:B, whose colour-space id is empty).
        if (i + 1 >= codes.size())
            return {};
        if (codes[i + 1] == 5 && i + 2 < codes.size()) {
            i += 2;
            return paletteColor(codes[i]);
        }
        if (codes[i + 1] == 2) {
            qsizetype first = i + 2;
            if (codes.size() - first >= 4 && parameters.contains(u"::"))
                ++first;
            if (codes.size() - first < 3)
                return {};
            i = first + 2;
            return QColor(qBound(0, codes[first], 255), qBound(0, codes[first + 1], 255),
                          qBound(0, codes[first + 2], 255));
        }
        return {};
    };
    for (qsizetype i = 0; i < codes.size(); ++i) {
        const int code = codes[i];
        if (code == 0) {
            m_bold = m_faint = m_italic = m_underline = m_inverse = false;
            m_foreground = m_background = QColor();
        } else if (code == 1) {
            m_bold = true;
        } else if (code == 2) {
            m_faint = true;
        } else if (code == 3) {
            m_italic = true;
        } else if (code == 4 || code == 21) {
            m_underline = true;
        } else if (code == 7) {
            m_inverse = true;
        } else if (code == 22) {
            m_bold = m_faint = false;
        } else if (code == 23) {
            m_italic = false;
        } else if (code == 24) {
            m_underline = false;
        } else if (code == 27) {
            m_inverse = false;
        } else if (code >= 30 && code <= 37) {
            m_foreground = paletteColor(code - 30);
        } else if (code == 38) {
            m_foreground = extendedColor(i);
        } else if (code == 39) {
            m_foreground = QColor();
        } else if (code >= 40 && code <= 47) {
            m_background = paletteColor(code - 40);
        } else if (code == 48) {
            m_background = extendedColor(i);
        } else if (code == 49) {
            m_background = QColor();
        } else if (code >= 90 && code <= 97) {
            m_foreground = paletteColor(code - 90 + 8);
        } else if (code >= 100 && code <= 107) {
            m_background = paletteColor(code - 100 + 8);
        }
    }
}

} // namespace Kyozo::App
