#!/bin/sh
sleep 5
echo "too late"
