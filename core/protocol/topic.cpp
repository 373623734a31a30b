#include "topic.h"

#include <QStringList>

namespace Kyozo::Protocol {

namespace {
constexpr std::pair<Topic::Kind, const char *> kKinds[] = {
    { Topic::Kind::Notebook, "notebook" },
    { Topic::Kind::Container, "container" },
    { Topic::Kind::File, "file" },
    { Topic::Kind::Workspace, "workspace" },
};
} // namespace

std::optional<Topic> Topic::parse(const QString &topic)
{
    // The id may itself contain ':'; only the first two separators count.
    const QStringList parts = topic.split(QLatin1Char(':'));
    if (parts.size() < 3 || parts[0] != QLatin1String("execution"))
        return std::nullopt;
    const QString id = parts.mid(2).join(QLatin1Char(':'));
    if (id.isEmpty())
        return std::nullopt;
    for (const auto &[kind, name] : kKinds)
        if (parts[1] == QLatin1String(name))
            return Topic{ kind, id };
    return std::nullopt;
}

QString Topic::toString() const
{
    for (const auto &[k, name] : kKinds)
        if (k == kind)
            return QStringLiteral("execution:%1:%2").arg(QLatin1String(name), id);
    return {};
}

} // namespace Kyozo::Protocol
