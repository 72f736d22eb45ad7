FROM alpine:3.20 AS build
run echo lowercase
MAINTAINER someone
COPY --chwon=1 . /x

