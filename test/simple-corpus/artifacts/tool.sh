#!/bin/sh
echo "tool $1 installed"
