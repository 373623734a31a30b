#include "inputsource.h"

#include <QCoreApplication>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {
constexpr qsizetype kChunkBytes = 64 * 1024;
QString tr(const char *text) { return QCoreApplication::translate("kyozo-ld", text); }
} // namespace

InputSource::~InputSource()
{
    if (m_ownsFd && m_fd >= 0)
        ::close(m_fd);
}

bool InputSource::open(const QString &path, QString *error)
{
    if (path == QLatin1String("-")) {
        m_fd = STDIN_FILENO;
        return true;
    }
    m_fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        *error = tr("cannot read %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_ownsFd = true;
    struct stat st;
    if (::fstat(m_fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        *error = tr("cannot read %1: it is a directory").arg(path);
        return false;
    }
    return true;
}

QByteArray InputSource::read(QString *error)
{
    if (m_done)
        return {};
    QByteArray chunk(kChunkBytes, Qt::Uninitialized);
    ssize_t n;
    do {
        // read(2), not QFile: a pipe must hand over what has arrived without waiting to
        // fill the chunk, so that items stream out before the input ends.
        n = ::read(m_fd, chunk.data(), size_t(chunk.size()));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        *error = tr("read error: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        m_done = true;
        return {};
    }
    chunk.truncate(n);
    const bool valid = n == 0 ? m_validator.finish() : m_validator.feed(chunk);
    if (n == 0)
        m_done = true;
    if (!valid) {
        *error = tr("input is not valid UTF-8 (byte offset %1)").arg(m_validator.invalidOffset());
        m_done = true;
        return {};
    }
    return chunk;
}
