# bulwark image: pg_query (the PostgreSQL parser) and SQLite are C, so the build
# needs cgo; the runtime only needs libc.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -o /out/bulwark ./cmd/bulwark

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/bulwark --create-home bulwark
COPY --from=build /out/bulwark /usr/local/bin/bulwark
USER bulwark
WORKDIR /var/lib/bulwark
EXPOSE 6432 3307
ENTRYPOINT ["bulwark"]
CMD ["serve", "-c", "/etc/bulwark/bulwark.yaml"]
